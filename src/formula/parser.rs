//! Recursive-descent parser: tokens to [`Expr`].
//!
//! Precedence, loosest first: `OR`, `AND`, comparisons (not chained),
//! `+ -`, `* / %`, unary minus, then literals, names, calls and
//! parentheses.

use super::ast::{ArithOp, CmpOp, Expr, Func};
use super::lexer::{tokenize, Token};
use super::names::{resolve, Name};
use super::{dates, MAX_DEPTH};

/// Parses a whole formula.
pub(super) fn parse(text: &str) -> Result<Expr, String> {
    let max = crate::limits::MAX_EXPRESSION_LEN;
    if text.len() > max {
        return Err(format!(
            "FORMULA_TOO_LONG: the formula is {} bytes, over the limit of {max}",
            text.len()
        ));
    }
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err("the formula is empty".into());
    }
    let mut parser = Parser {
        tokens: &tokens,
        pos: 0,
        depth: 0,
    };
    let expr = parser.expr()?;
    if parser.pos != tokens.len() {
        return Err(format!(
            "unexpected {} after the end of the formula",
            describe(parser.peek())
        ));
    }
    Ok(expr)
}

struct Parser<'a> {
    tokens: &'a [Token],
    pos: usize,
    depth: usize,
}

fn describe(token: Option<&Token>) -> String {
    match token {
        None => "end of formula".into(),
        Some(Token::Number(n)) => format!("number `{n}`"),
        Some(Token::Text(s)) => format!("string \"{s}\""),
        Some(Token::Ident(s)) => format!("`{s}`"),
        Some(Token::Open) => "`(`".into(),
        Some(Token::Close) => "`)`".into(),
        Some(Token::Semi) => "`;`".into(),
        Some(_) => "operator".into(),
    }
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let token = self.tokens.get(self.pos).cloned();
        if token.is_some() {
            self.pos += 1;
        }
        token
    }

    fn eat(&mut self, token: &Token) -> bool {
        if self.peek() == Some(token) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, token: &Token, what: &str) -> Result<(), String> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected {what}, found {}", describe(self.peek())))
        }
    }

    /// Whether the next token is the name `name` resolves to.
    fn peek_name(&self) -> Option<Name> {
        match self.peek() {
            Some(Token::Ident(s)) => resolve(s),
            _ => None,
        }
    }

    fn enter(&mut self) -> Result<(), String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(format!(
                "FORMULA_TOO_DEEP: the formula nests deeper than {MAX_DEPTH} levels"
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    fn expr(&mut self) -> Result<Expr, String> {
        let first = self.and()?;
        let mut rest = Vec::new();
        while self.peek_name() == Some(Name::Or) {
            self.pos += 1;
            rest.push(self.and()?);
        }
        Ok(if rest.is_empty() {
            first
        } else {
            rest.insert(0, first);
            Expr::Or(rest)
        })
    }

    fn and(&mut self) -> Result<Expr, String> {
        let first = self.comparison()?;
        let mut rest = Vec::new();
        while self.peek_name() == Some(Name::And) {
            self.pos += 1;
            rest.push(self.comparison()?);
        }
        Ok(if rest.is_empty() {
            first
        } else {
            rest.insert(0, first);
            Expr::And(rest)
        })
    }

    fn comparison_op(&self) -> Option<CmpOp> {
        Some(match self.peek()? {
            Token::Gt => CmpOp::Gt,
            Token::Lt => CmpOp::Lt,
            Token::Ge => CmpOp::Ge,
            Token::Le => CmpOp::Le,
            Token::Eq => CmpOp::Eq,
            Token::Ne => CmpOp::Ne,
            _ => return None,
        })
    }

    fn comparison(&mut self) -> Result<Expr, String> {
        let left = self.additive()?;
        let Some(op) = self.comparison_op() else {
            return Ok(left);
        };
        self.pos += 1;
        let right = self.additive()?;
        if self.comparison_op().is_some() {
            return Err("comparisons do not chain; use AND".into());
        }
        Ok(Expr::Compare(Box::new(left), op, Box::new(right)))
    }

    fn additive(&mut self) -> Result<Expr, String> {
        let first = self.multiplicative()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek() {
                Some(Token::Plus) => ArithOp::Add,
                Some(Token::Minus) => ArithOp::Sub,
                _ => break,
            };
            self.pos += 1;
            rest.push((op, self.multiplicative()?));
        }
        Ok(chain(first, rest))
    }

    fn multiplicative(&mut self) -> Result<Expr, String> {
        let first = self.unary()?;
        let mut rest = Vec::new();
        loop {
            let op = match self.peek() {
                Some(Token::Star) => ArithOp::Mul,
                Some(Token::Ident(s)) if s.eq_ignore_ascii_case("x") => ArithOp::Mul,
                Some(Token::Slash) => ArithOp::Div,
                Some(Token::Percent) => ArithOp::Rem,
                _ => break,
            };
            self.pos += 1;
            rest.push((op, self.unary()?));
        }
        Ok(chain(first, rest))
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.eat(&Token::Minus) {
            self.enter()?;
            let inner = self.unary()?;
            self.leave();
            return Ok(match inner {
                Expr::Number(n) => Expr::Number(-n),
                other => Expr::Neg(Box::new(other)),
            });
        }
        if self.eat(&Token::Plus) {
            self.enter()?;
            let inner = self.unary()?;
            self.leave();
            return Ok(inner);
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Expr, String> {
        match self.next() {
            Some(Token::Number(n)) => Ok(Expr::Number(n)),
            Some(Token::Text(s)) => Ok(Expr::Text(s)),
            Some(Token::Open) => {
                self.enter()?;
                let inner = self.expr()?;
                self.expect(&Token::Close, "`)`")?;
                self.leave();
                Ok(inner)
            }
            Some(Token::Ident(name)) => self.name(&name),
            other => Err(format!(
                "expected a value, found {}",
                describe(other.as_ref())
            )),
        }
    }

    fn name(&mut self, name: &str) -> Result<Expr, String> {
        let Some(resolved) = resolve(name) else {
            return Err(format!("unknown name `{name}` in formula"));
        };
        match resolved {
            Name::And | Name::Or => Err(format!("`{name}` needs a condition before it")),
            Name::SwitchCase => Err("SWITCH_CASE is only allowed inside SWITCH".into()),
            Name::Today | Name::Now => {
                if self.eat(&Token::Open) {
                    self.expect(&Token::Close, &format!("`)` after `{name}(`"))?;
                }
                Ok(if resolved == Name::Today {
                    Expr::Today
                } else {
                    Expr::Now
                })
            }
            Name::Operand(operand) => {
                if self.peek() == Some(&Token::Open) {
                    return Err(format!("`{name}` takes no arguments"));
                }
                Ok(Expr::Operand(operand))
            }
            Name::Metadata(source) => {
                self.expect(&Token::Open, &format!("`(` after `{name}`"))?;
                let key = match self.next() {
                    Some(Token::Text(key)) => key,
                    other => {
                        return Err(format!(
                            "`{name}` takes a quoted key, found {}",
                            describe(other.as_ref())
                        ))
                    }
                };
                self.expect(&Token::Close, &format!("`)` after the `{name}` key"))?;
                Ok(Expr::Metadata(source, key))
            }
            Name::Switch => self.switch(),
            Name::Func(func) => self.call(name, func),
        }
    }

    fn call(&mut self, name: &str, func: Func) -> Result<Expr, String> {
        self.expect(&Token::Open, &format!("`(` after `{name}`"))?;
        self.enter()?;
        let mut args = Vec::new();
        if !self.eat(&Token::Close) {
            loop {
                args.push(self.expr()?);
                if self.eat(&Token::Close) {
                    break;
                }
                self.expect(&Token::Semi, &format!("`;` or `)` in `{name}`"))?;
            }
        }
        self.leave();
        let (min, max) = func.arity();
        if args.len() < min || max.is_some_and(|max| args.len() > max) {
            let wanted = match max {
                Some(max) if max == min => format!("{min}"),
                Some(max) => format!("{min} to {max}"),
                None => format!("at least {min}"),
            };
            return Err(format!(
                "`{name}` takes {wanted} argument(s), found {}",
                args.len()
            ));
        }
        if let (Func::Date | Func::DateTime, Some(Expr::Text(text))) = (func, args.first()) {
            let ok = match func {
                Func::Date => dates::parse_any_date(text).is_some(),
                _ => dates::parse_date_time(text).is_some(),
            };
            if !ok {
                return Err(format!("`{name}` cannot read the date \"{text}\""));
            }
        }
        Ok(Expr::Call(func, args))
    }

    /// `SWITCH(subject;SWITCH_CASE(v;r);…;default)`; cases may also follow
    /// each other without `;`, as the dashboard writes them.
    fn switch(&mut self) -> Result<Expr, String> {
        self.expect(&Token::Open, "`(` after `SWITCH`")?;
        self.enter()?;
        let subject = self.expr()?;
        let mut cases = Vec::new();
        let mut default = None;
        let mut after_case = false;
        loop {
            if self.eat(&Token::Close) {
                break;
            }
            let is_case = self.peek_name() == Some(Name::SwitchCase);
            if !(after_case && is_case) {
                self.expect(&Token::Semi, "`;` or `)` in `SWITCH`")?;
            }
            if default.is_some() {
                return Err("the SWITCH default must be its last argument".into());
            }
            if self.peek_name() == Some(Name::SwitchCase) {
                self.pos += 1;
                self.expect(&Token::Open, "`(` after `SWITCH_CASE`")?;
                self.enter()?;
                let value = self.expr()?;
                self.expect(&Token::Semi, "`;` in `SWITCH_CASE`")?;
                let result = self.expr()?;
                self.expect(&Token::Close, "`)` after `SWITCH_CASE`")?;
                self.leave();
                cases.push((value, result));
                after_case = true;
            } else {
                default = Some(Box::new(self.expr()?));
                after_case = false;
            }
        }
        self.leave();
        if cases.is_empty() {
            return Err("SWITCH needs at least one SWITCH_CASE".into());
        }
        Ok(Expr::Switch {
            subject: Box::new(subject),
            cases,
            default,
        })
    }
}

fn chain(first: Expr, rest: Vec<(ArithOp, Expr)>) -> Expr {
    if rest.is_empty() {
        first
    } else {
        Expr::Arith(Box::new(first), rest)
    }
}
