//! Turns formula text into tokens.

use rust_decimal::Decimal;

/// One token of a formula.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Token {
    Number(Decimal),
    Text(String),
    /// A name: function, operand, `AND`, `OR` or the `x` operator.
    Ident(String),
    Open,
    Close,
    Semi,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Gt,
    Lt,
    Ge,
    Le,
    Eq,
    Ne,
}

/// Splits `text` into tokens.
pub(super) fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let token = match c {
            c if c.is_whitespace() => continue,
            '(' => Token::Open,
            ')' => Token::Close,
            ';' => Token::Semi,
            '+' => Token::Plus,
            '-' | '\u{2212}' => Token::Minus,
            '*' | '×' => Token::Star,
            '/' | '÷' => Token::Slash,
            '%' => Token::Percent,
            '>' => {
                if chars.next_if_eq(&'=').is_some() {
                    Token::Ge
                } else {
                    Token::Gt
                }
            }
            '<' => {
                if chars.next_if_eq(&'=').is_some() {
                    Token::Le
                } else if chars.next_if_eq(&'>').is_some() {
                    Token::Ne
                } else {
                    Token::Lt
                }
            }
            '=' => {
                chars.next_if_eq(&'=');
                Token::Eq
            }
            '!' => {
                if chars.next_if_eq(&'=').is_some() {
                    Token::Ne
                } else {
                    return Err("unexpected `!` in formula (did you mean `!=`?)".into());
                }
            }
            '"' => {
                let mut s = String::new();
                loop {
                    match chars.next() {
                        None => return Err("unterminated string in formula".into()),
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(e @ ('"' | '\\')) => s.push(e),
                            _ => return Err("invalid escape in formula string".into()),
                        },
                        Some(c) => s.push(c),
                    }
                }
                Token::Text(s)
            }
            c if c.is_ascii_digit() || c == '.' => {
                let mut s = String::from(c);
                while let Some(d) = chars.next_if(|d| d.is_ascii_digit() || *d == '.') {
                    s.push(d);
                }
                if chars
                    .peek()
                    .is_some_and(|d| d.is_alphanumeric() || *d == '_')
                {
                    return Err(format!("invalid number `{s}…` in formula"));
                }
                if s.starts_with('.') {
                    s.insert(0, '0');
                }
                let number = s
                    .parse::<Decimal>()
                    .ok()
                    .filter(|_| s.matches('.').count() <= 1 && !s.ends_with('.'))
                    .ok_or_else(|| format!("invalid number `{s}` in formula"))?;
                Token::Number(number)
            }
            c if c.is_ascii_alphabetic() || c == '_' => {
                let mut s = String::from(c);
                while let Some(d) = chars.next_if(|d| d.is_ascii_alphanumeric() || *d == '_') {
                    s.push(d);
                }
                Token::Ident(s)
            }
            c => return Err(format!("unexpected `{c}` in formula")),
        };
        out.push(token);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(s: &str) -> Token {
        Token::Number(s.parse().unwrap())
    }

    #[test]
    fn tokens() {
        let t = tokenize(r#"IF(a >= 0.8;"x\"y";.5) <> 3 != 4 <= 5 == 6 × 7 ÷ 8 % 9"#).unwrap();
        assert_eq!(
            t,
            vec![
                Token::Ident("IF".into()),
                Token::Open,
                Token::Ident("a".into()),
                Token::Ge,
                num("0.8"),
                Token::Semi,
                Token::Text("x\"y".into()),
                Token::Semi,
                num("0.5"),
                Token::Close,
                Token::Ne,
                num("3"),
                Token::Ne,
                num("4"),
                Token::Le,
                num("5"),
                Token::Eq,
                num("6"),
                Token::Star,
                num("7"),
                Token::Slash,
                num("8"),
                Token::Percent,
                num("9"),
            ]
        );
    }

    #[test]
    fn bad_tokens() {
        assert!(tokenize("\"open").is_err());
        assert!(tokenize("1.2.3").is_err());
        assert!(tokenize("5.").is_err());
        assert!(tokenize("12abc").is_err());
        assert!(tokenize("a & b").is_err());
        assert!(tokenize("!a").is_err());
        assert!(tokenize(r#""\n""#).is_err());
        assert!(tokenize("99999999999999999999999999999999999").is_err());
    }
}
