//! Parsing the `logic` expression of a rule set: `(1 and 2) or not 3`, any case.

use crate::plan::Logic;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Num(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() {
            chars.next();
        } else if c == '(' {
            out.push(Token::Open);
            chars.next();
        } else if c == ')' {
            out.push(Token::Close);
            chars.next();
        } else if c.is_ascii_alphanumeric() {
            let mut word = String::new();
            while let Some(&c) = chars.peek() {
                if !c.is_ascii_alphanumeric() {
                    break;
                }
                word.push(c);
                chars.next();
            }
            out.push(match word.to_ascii_lowercase().as_str() {
                "and" => Token::And,
                "or" => Token::Or,
                "not" => Token::Not,
                _ if word.chars().all(|c| c.is_ascii_digit()) => Token::Num(word),
                _ => return Err(format!("unknown word `{word}` in logic")),
            });
        } else {
            return Err(format!("unexpected `{c}` in logic"));
        }
    }
    Ok(out)
}

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    names: &'a [String],
    depth: usize,
}

const MAX_LOGIC_DEPTH: usize = 32;

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn or(&mut self) -> Result<Logic, String> {
        let mut left = self.and()?;
        while self.peek() == Some(&Token::Or) {
            self.pos += 1;
            let right = self.and()?;
            left = Logic::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Logic, String> {
        let mut left = self.unary()?;
        while self.peek() == Some(&Token::And) {
            self.pos += 1;
            let right = self.unary()?;
            left = Logic::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Logic, String> {
        self.depth += 1;
        if self.depth > MAX_LOGIC_DEPTH {
            return Err("logic nests too deeply".into());
        }
        let out = match self.tokens.get(self.pos).cloned() {
            Some(Token::Not) => {
                self.pos += 1;
                Logic::Not(Box::new(self.unary()?))
            }
            Some(Token::Open) => {
                self.pos += 1;
                let inner = self.or()?;
                if self.peek() != Some(&Token::Close) {
                    return Err("missing `)` in logic".into());
                }
                self.pos += 1;
                inner
            }
            Some(Token::Num(n)) => {
                self.pos += 1;
                let idx = self
                    .names
                    .iter()
                    .position(|k| k == &n)
                    .ok_or_else(|| format!("logic refers to rule {n}, which does not exist"))?;
                Logic::Rule(idx)
            }
            _ => return Err("logic expression is incomplete".into()),
        };
        self.depth -= 1;
        Ok(out)
    }
}

/// Parses `text` against the rule numbers `names` (in list order). `None`
/// means "all rules must hold"; an empty string means "always true".
pub fn parse(text: Option<&str>, names: &[String]) -> Result<Logic, String> {
    let Some(text) = text else {
        return Ok(names
            .iter()
            .enumerate()
            .map(|(i, _)| Logic::Rule(i))
            .reduce(|a, b| Logic::And(Box::new(a), Box::new(b)))
            .unwrap_or(Logic::True));
    };
    if text.len() > crate::limits::MAX_EXPRESSION_LEN {
        return Err("logic is longer than the limit".into());
    }
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Ok(Logic::True);
    }
    let mut p = Parser {
        tokens: &tokens,
        pos: 0,
        names,
        depth: 0,
    };
    let out = p.or()?;
    if p.pos != tokens.len() {
        return Err("unexpected text after the logic expression".into());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: usize) -> Vec<String> {
        (1..=n).map(|i| i.to_string()).collect()
    }

    fn eval(l: &Logic, v: &[bool]) -> bool {
        match l {
            Logic::True => true,
            Logic::Rule(i) => v[*i],
            Logic::And(a, b) => eval(a, v) && eval(b, v),
            Logic::Or(a, b) => eval(a, v) || eval(b, v),
            Logic::Not(a) => !eval(a, v),
        }
    }

    #[test]
    fn precedence_and_case() {
        let l = parse(Some("(1 AND 2) or 3"), &names(3)).unwrap();
        assert!(eval(&l, &[true, true, false]));
        assert!(eval(&l, &[false, false, true]));
        assert!(!eval(&l, &[true, false, false]));
        // and binds tighter than or
        let l = parse(Some("1 or 2 and 3"), &names(3)).unwrap();
        assert!(eval(&l, &[true, false, false]));
        assert!(!eval(&l, &[false, true, false]));
        let l = parse(Some("not 1 And 2"), &names(2)).unwrap();
        assert!(eval(&l, &[false, true]));
    }

    #[test]
    fn defaults_and_errors() {
        assert_eq!(parse(Some(""), &names(2)).unwrap(), Logic::True);
        let all = parse(None, &names(2)).unwrap();
        assert!(!eval(&all, &[true, false]));
        assert!(parse(Some("1 and 4"), &names(2)).is_err());
        assert!(parse(Some("(1 and 2"), &names(2)).is_err());
        assert!(parse(Some("1 xor 2"), &names(2)).is_err());
        assert!(parse(Some("1 2"), &names(2)).is_err());
        let deep = format!("{}1{}", "(".repeat(100), ")".repeat(100));
        assert!(parse(Some(&deep), &names(1)).is_err());
    }
}
