//! Finding the strings a person reads, in a `view!` body or a `tr!` call,
//! on token streams: the macros translate them, the catalogue test lists
//! them from the sources, by the same rules.

use std::collections::BTreeSet;

use proc_macro2::{Delimiter, Literal, Span, TokenStream, TokenTree};

/// The attributes and component props whose string values are shown or
/// read aloud; every other attribute (class, id, data-*, href, …) is code.
pub(crate) const SHOWN: &[&str] = &[
    "aria-label",
    "aria-description",
    "aria-roledescription",
    "title",
    "placeholder",
    "alt",
    // The console's own components' props.
    "heading",
    "label",
    "settled",
    "text",
];

/// What `tr!` does with a string: its translation, or none to keep it.
pub(crate) type Translate<'a> = dyn FnMut(&Literal, &str) -> Result<Option<Literal>, Error> + 'a;

/// A compile error at a span.
#[derive(Debug)]
pub(crate) struct Error {
    span: Span,
    message: String,
}

impl Error {
    pub(crate) fn new(span: Span, message: impl Into<String>) -> Self {
        Self {
            span,
            message: message.into(),
        }
    }

    pub(crate) fn to_compile_error(&self) -> TokenStream {
        let mut lit = Literal::string(&self.message);
        lit.set_span(self.span);
        let mut out: TokenStream = "::core::compile_error!".parse().unwrap_or_default();
        let mut group =
            proc_macro2::Group::new(Delimiter::Parenthesis, TokenTree::Literal(lit).into());
        group.set_span(self.span);
        out.extend([
            TokenTree::Group(group),
            TokenTree::Punct(proc_macro2::Punct::new(';', proc_macro2::Spacing::Alone)),
        ]);
        // In expression position a `{ compile_error!(…); }` block, so the
        // error reads the same wherever the macro was called.
        TokenTree::Group(proc_macro2::Group::new(Delimiter::Brace, out)).into()
    }
}

/// A `view!` body with each shown string replaced by `f`'s literal (kept
/// when `f` gives none). Groups are Rust code (closures, `{ … }` blocks)
/// and are left alone: a `view!` inside one is a call of its own.
pub(crate) fn view(
    tokens: TokenStream,
    f: &mut dyn FnMut(&Literal, &str) -> Option<Literal>,
) -> TokenStream {
    let tokens: Vec<TokenTree> = tokens.into_iter().collect();
    let mut out = Vec::with_capacity(tokens.len());
    for (i, tt) in tokens.iter().enumerate() {
        if let TokenTree::Literal(lit) = tt
            && let Some(text) = string_value(lit)
            && shown(&tokens[..i])
            && has_words(&text)
            && let Some(new) = f(lit, &text)
        {
            out.push(TokenTree::Literal(new));
            continue;
        }
        out.push(tt.clone());
    }
    out.into_iter().collect()
}

/// Whether a literal after `before` is shown: a text child (not after
/// `=`), or the value of one of [`SHOWN`].
fn shown(before: &[TokenTree]) -> bool {
    let Some((last, rest)) = before.split_last() else {
        return true;
    };
    if !matches!(last, TokenTree::Punct(p) if p.as_char() == '=') {
        return true;
    }
    // The attribute's name, read backwards: an ident, then `-` or `:` and
    // an ident again (`aria-label`, `attr:title`), as long as they go.
    let mut parts = Vec::new();
    let mut rest = rest.iter().rev().peekable();
    while let Some(TokenTree::Ident(i)) = rest.next() {
        parts.push(i.to_string());
        match rest
            .next_if(|tt| matches!(tt, TokenTree::Punct(p) if matches!(p.as_char(), '-' | ':')))
        {
            Some(TokenTree::Punct(p)) => parts.push(p.as_char().to_string()),
            _ => break,
        }
    }
    parts.reverse();
    let name = parts.concat();
    SHOWN.contains(&name.as_str())
}

/// Whether a string has a letter in it: "·", "—" and " " are not words.
fn has_words(text: &str) -> bool {
    text.chars().any(char::is_alphabetic)
}

/// A `tr!` call's expansion: the string literal alone, or `format!` of it
/// with the call's arguments or the variables it names.
pub(crate) fn tr(tokens: TokenStream, f: &mut Translate<'_>) -> Result<TokenStream, Error> {
    let mut iter = tokens.into_iter();
    let Some(TokenTree::Literal(lit)) = iter.next() else {
        return Err(Error::new(
            Span::call_site(),
            "tr! wants a string literal first",
        ));
    };
    let Some(text) = string_value(&lit) else {
        return Err(Error::new(lit.span(), "tr! wants a string literal first"));
    };
    let rest: TokenStream = iter.collect();
    let lit = f(&lit, &text)?.unwrap_or(lit);
    if rest.is_empty() && placeholders(&text).is_empty() {
        return Ok(TokenTree::Literal(lit).into());
    }
    // A `format!`; its placeholders name the call's arguments or, as in
    // `format!` itself, variables in scope (the literal keeps the call's
    // span, so they resolve there).
    let mut out: TokenStream = "::std::format!".parse().unwrap_or_default();
    let mut args: TokenStream = TokenTree::Literal(lit).into();
    args.extend(rest);
    out.extend([TokenTree::Group(proc_macro2::Group::new(
        Delimiter::Parenthesis,
        args,
    ))]);
    Ok(out)
}

/// Every shown string in a source file: those of its `view!` bodies and
/// its `tr!` calls, for the catalogue test.
#[cfg(test)]
pub(crate) fn strings_in(source: TokenStream, out: &mut BTreeSet<String>) {
    let tokens: Vec<TokenTree> = source.into_iter().collect();
    for (i, tt) in tokens.iter().enumerate() {
        let TokenTree::Group(g) = tt else { continue };
        let called = match (
            i.checked_sub(2).map(|j| &tokens[j]),
            tokens.get(i.wrapping_sub(1)),
        ) {
            (Some(TokenTree::Ident(name)), Some(TokenTree::Punct(bang)))
                if bang.as_char() == '!' =>
            {
                Some(name.to_string())
            }
            _ => None,
        };
        match called.as_deref() {
            Some("view") => {
                view(g.stream(), &mut |_, text| {
                    out.insert(text.to_owned());
                    None
                });
            }
            Some("tr") => {
                let _ = tr(g.stream(), &mut |_, text| {
                    out.insert(text.to_owned());
                    Ok(None)
                });
            }
            _ => {}
        }
        // Calls nest: a `view!` in a closure in a `view!`, a `tr!` in a
        // `format!`.
        strings_in(g.stream(), out);
    }
}

/// The value of a string literal (plain or raw); none for other literals.
pub(crate) fn string_value(lit: &Literal) -> Option<String> {
    let src = lit.to_string();
    if let Some(raw) = src.strip_prefix('r') {
        let hashes = raw.len() - raw.trim_start_matches('#').len();
        let inner = raw.get(hashes..raw.len().checked_sub(hashes)?)?;
        return Some(inner.strip_prefix('"')?.strip_suffix('"')?.to_owned());
    }
    let inner = src.strip_prefix('"')?.strip_suffix('"')?;
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next()? {
            'n' => out.push('\n'),
            't' => out.push('\t'),
            'r' => out.push('\r'),
            '0' => out.push('\0'),
            '\\' => out.push('\\'),
            '"' => out.push('"'),
            '\'' => out.push('\''),
            'u' => {
                let hex: String = chars.by_ref().skip(1).take_while(|c| *c != '}').collect();
                out.push(char::from_u32(u32::from_str_radix(&hex, 16).ok()?)?);
            }
            'x' => {
                let hex: String = chars.by_ref().take(2).collect();
                out.push(char::from(u8::from_str_radix(&hex, 16).ok()?));
            }
            '\n' => while chars.next_if(|c| c.is_whitespace()).is_some() {},
            _ => return None,
        }
    }
    Some(out)
}

/// The placeholders of a format string: `{name}`, `{0}`, and `{}` as the
/// next position, so "{} of {}" and "{1} 中的 {0}" name the same two
/// (`{{` is a brace).
pub(crate) fn placeholders(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut next = 0;
    let mut rest = text;
    while let Some(i) = rest.find(['{', '}']) {
        let after = &rest[i + 1..];
        if after.starts_with(&rest[i..=i]) {
            rest = &after[1..];
            continue;
        }
        if rest[i..].starts_with('{')
            && let Some(end) = after.find('}')
        {
            let name = after[..end].split(':').next().unwrap_or_default();
            // `{ a: b }` in prose is not a placeholder; `format!` names are
            // identifiers or positions.
            if !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                rest = after;
                continue;
            }
            if name.is_empty() {
                out.insert(next.to_string());
                next += 1;
            } else {
                out.insert(name.to_owned());
            }
            rest = &after[end + 1..];
        } else {
            rest = after;
        }
    }
    out
}

/// A translation must name the English string's placeholders, no more and
/// no fewer: `format!` would reject an unknown one, but a lost one would
/// silently drop a number from the sentence.
pub(crate) fn same_placeholders(english: &str, translated: &str) -> Result<(), String> {
    let (a, b) = (placeholders(english), placeholders(translated));
    if a == b {
        Ok(())
    } else {
        Err(format!(
            "the translation of {english:?} has placeholders {b:?}, the English {a:?}"
        ))
    }
}
