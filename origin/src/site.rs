//! `serve --site DIR`: static files (a storefront, its `.wasm`, a service
//! worker) served at `/` beside the API, so one origin serves the page, the
//! bundle and the ledger (no CORS, and a service worker's scope is the site).
//!
//! Only `GET` and `HEAD`. A request path is percent-decoded and split into
//! segments; an empty segment is skipped, and `.`, `..`, a backslash or a
//! NUL anywhere refuse the request (404). The resolved file is then
//! canonicalized and must still lie inside the (canonical) site directory, so
//! a symlink cannot lead out of it either. A directory answers its
//! `index.html`. Content types come from the extension (`.wasm` is
//! `application/wasm`, `.webmanifest` `application/manifest+json`, `.js`
//! `text/javascript`); files under `assets/` (a bundler's content-hashed
//! output) are `immutable`, everything else — the HTML, the service worker,
//! the manifest, generated configuration — is `no-cache`.

use std::path::{Path, PathBuf};

use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::api_error::ApiError;

/// The content type for a file name (by extension, case-insensitive).
pub fn content_type(name: &str) -> &'static str {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "webmanifest" => "application/manifest+json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "txt" => "text/plain; charset=utf-8",
        "jws" => "application/jose",
        _ => "application/octet-stream",
    }
}

/// Decodes `%XX` escapes; `None` for a malformed escape or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// The relative path a URL path names, or `None` when it tries to leave
/// the site (or is malformed).
pub fn relative_path(url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path)?;
    let mut rel = PathBuf::new();
    for seg in decoded.split('/') {
        if seg.is_empty() {
            continue;
        }
        if seg == "." || seg == ".." || seg.contains('\\') || seg.contains('\0') {
            return None;
        }
        rel.push(seg);
    }
    Some(rel)
}

/// Resolves a URL path to a file inside `root` (canonical), following a
/// directory to its `index.html`.
fn resolve(root: &Path, url_path: &str) -> Option<PathBuf> {
    let rel = relative_path(url_path)?;
    let mut file = root.join(rel).canonicalize().ok()?;
    if file.is_dir() {
        file = file.join("index.html").canonicalize().ok()?;
    }
    (file.starts_with(root) && file.is_file()).then_some(file)
}

/// Answers a request for a static file.
pub async fn serve_file(root: PathBuf, method: Method, url_path: String) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return ApiError::new(
            405,
            "METHOD_NOT_ALLOWED",
            format!("{method} is not allowed here"),
        )
        .into_response();
    }
    let found = tokio::task::spawn_blocking(move || {
        let file = resolve(&root, &url_path)?;
        let body = std::fs::read(&file).ok()?;
        let immutable = file
            .strip_prefix(&root)
            .ok()
            .is_some_and(|r| r.starts_with("assets"));
        Some((file, body, immutable))
    })
    .await
    .ok()
    .flatten();
    let Some((file, body, immutable)) = found else {
        return ApiError::new(404, "NOT_FOUND", "no such route or file").into_response();
    };
    let name = file
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let len = body.len();
    let mut res = if method == Method::HEAD {
        StatusCode::OK.into_response()
    } else {
        (StatusCode::OK, body).into_response()
    };
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(content_type(&name)),
    );
    h.insert(header::CONTENT_LENGTH, HeaderValue::from(len));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if immutable {
            "public, max-age=31536000, immutable"
        } else {
            "no-cache"
        }),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_paths_that_leave_the_site() {
        for p in [
            "/../etc/passwd",
            "/a/../../x",
            "/%2e%2e/x",
            "/a/%2E%2E/%2e%2e/x",
            "/a%2f..%2f..%2fx",
            "/a\\..\\x",
            "/%00",
            "/%zz",
            "/./x",
        ] {
            assert_eq!(relative_path(p), None, "{p}");
        }
        assert_eq!(relative_path("/"), Some(PathBuf::new()));
        assert_eq!(
            relative_path("//assets/app.js"),
            Some(PathBuf::from("assets/app.js"))
        );
        assert_eq!(relative_path("/a%20b.txt"), Some(PathBuf::from("a b.txt")));
    }

    #[test]
    fn content_types() {
        assert_eq!(content_type("x_bg.wasm"), "application/wasm");
        assert_eq!(
            content_type("manifest.webmanifest"),
            "application/manifest+json"
        );
        assert_eq!(content_type("sw.js"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("index.HTML"), "text/html; charset=utf-8");
        assert_eq!(content_type("README"), "application/octet-stream");
    }
}
