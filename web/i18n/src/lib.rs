//! The console's languages, chosen at compile time: one build per language.
//!
//! The English text stays where it is read, in the `view!` and the code
//! (`tr!("Ticket not found")`), and is the key of the other languages'
//! catalogues (`web/i18n/zh-CN.json`, English → 简体中文). Building with the
//! `zh-CN` feature puts the translation in place of each English literal,
//! so each build is as small as an English-only console (Leptos keeps its
//! static `view!` parts as one HTML string), and a string with no
//! translation is a compile error at its own line. `cargo xtask dist`
//! builds both; index.html and the `<coc-execution>` loader pick one.
//!
//! What it does not do: switch language without loading the page again (a
//! runtime catalogue would cost every user its code and both languages'
//! bytes, and the console's 320 KB budget was spent), plural rules (the
//! console's counts are phrased to need none), or translate text the
//! service sends: its `error_msg` is shown as sent.
//!
//! [`view!`] is `leptos::view!` with its shown strings translated: text
//! children, and the values of the attributes and props in
//! `walk::SHOWN`. Strings in `{ … }` are Rust code and need `tr!`.

mod catalogue;
mod walk;

use proc_macro::TokenStream;
use proc_macro2::{Literal, Span, TokenStream as TokenStream2, TokenTree};

/// The language this build shows, as a BCP 47 tag: `"en"` or `"zh-CN"`.
#[proc_macro]
pub fn lang(_input: TokenStream) -> TokenStream {
    TokenStream2::from(TokenTree::Literal(Literal::string(catalogue::LANG))).into()
}

/// A string in the build's language: `tr!("Ticket not found")` is a string
/// literal; `tr!("{n} steps")` or `tr!("{n} steps", n = count)` is a
/// `format!` of the translation, whose placeholders must be the English
/// one's.
#[proc_macro]
pub fn tr(input: TokenStream) -> TokenStream {
    match walk::tr(input.into(), &mut translate) {
        Ok(out) => out.into(),
        Err(e) => e.to_compile_error().into(),
    }
}

/// `leptos::view!`, with the strings it shows in the build's language.
#[proc_macro]
pub fn view(input: TokenStream) -> TokenStream {
    let mut errors = Vec::new();
    let body = walk::view(
        input.into(),
        &mut |lit: &Literal, text: &str| match translate(lit, text) {
            Ok(t) => t,
            Err(e) => {
                errors.push(e);
                None
            }
        },
    );
    let mut out: TokenStream2 = errors.iter().map(walk::Error::to_compile_error).collect();
    out.extend(
        "::leptos::view!"
            .parse::<TokenStream2>()
            .unwrap_or_default(),
    );
    out.extend([TokenTree::Group(proc_macro2::Group::new(
        proc_macro2::Delimiter::Brace,
        body,
    ))]);
    out.into()
}

/// The literal to put in place of `lit`, whose text is `text`: none in the
/// English build (the literal stays, span and all).
fn translate(lit: &Literal, text: &str) -> Result<Option<Literal>, walk::Error> {
    let Some(catalogue) = catalogue::active() else {
        return Ok(None);
    };
    let catalogue = catalogue
        .as_ref()
        .map_err(|e| walk::Error::new(Span::call_site(), e.clone()))?;
    match catalogue.get(text) {
        Some(t) => {
            walk::same_placeholders(text, t).map_err(|e| walk::Error::new(lit.span(), e))?;
            let mut out = Literal::string(t);
            out.set_span(lit.span());
            Ok(Some(out))
        }
        None => Err(walk::Error::new(
            lit.span(),
            format!(
                "no {} for {text:?} in web/i18n/{}.json \
                 (`cargo test -p coc-i18n` lists every missing string)",
                catalogue::LANG_NAME,
                catalogue::LANG
            ),
        )),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]
mod tests;
