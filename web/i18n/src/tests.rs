use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use proc_macro2::TokenStream;

use crate::{catalogue, walk};

fn shown(src: &str) -> Vec<String> {
    let mut found = Vec::new();
    walk::view(src.parse().unwrap(), &mut |_, text| {
        found.push(text.to_owned());
        None
    });
    found
}

#[test]
fn a_view_shows_its_text_children_and_the_shown_attributes_only() {
    let found = shown(
        r#"<section class="coc-card" aria-label="Ticket summary" data-x="Not shown">
             <h1>"Settings"</h1> " · "
             <Panel heading="Steps" id="coc-steps"/>
             <input placeholder=r"Part of a name" type="text"/>
             {"In code: tr! says"} <p on:click=move |_| f("not this")>"Escaped \"quote\""</p>
           </section>"#,
    );
    assert_eq!(
        found,
        [
            "Ticket summary",
            "Settings",
            "Steps",
            "Part of a name",
            "Escaped \"quote\""
        ]
    );
}

#[test]
fn a_view_puts_the_translation_in_place_and_keeps_the_rest() {
    let out = walk::view(
        r#"<h1 class="Settings">"Settings"</h1>"#.parse().unwrap(),
        &mut |_, t| (t == "Settings").then(|| proc_macro2::Literal::string("设置")),
    );
    assert_eq!(
        out.to_string(),
        r#"< h1 class = "Settings" > "设置" </ h1 >"#
    );
}

#[test]
fn tr_is_a_literal_or_a_format_of_the_translation() {
    let mut zh = |_: &proc_macro2::Literal, t: &str| {
        Ok(Some(proc_macro2::Literal::string(&format!("[{t}]"))))
    };
    let lit = walk::tr(r#""Ticket not found""#.parse().unwrap(), &mut zh).unwrap();
    assert_eq!(lit.to_string(), r#""[Ticket not found]""#);
    let f = walk::tr(r#""{n} steps", n = count"#.parse().unwrap(), &mut zh).unwrap();
    assert_eq!(
        f.to_string(),
        r#":: std :: format ! ("[{n} steps]" , n = count)"#
    );
    let captured = walk::tr(r#""{n} steps""#.parse().unwrap(), &mut zh).unwrap();
    assert_eq!(
        captured.to_string(),
        r#":: std :: format ! ("[{n} steps]")"#
    );
    assert!(walk::tr("count".parse().unwrap(), &mut zh).is_err());
}

#[test]
fn placeholders_are_compared_not_counted_by_braces() {
    assert_eq!(
        walk::placeholders("{n} of {total:>3} {{literal}}"),
        BTreeSet::from(["n".to_owned(), "total".to_owned()])
    );
    assert!(walk::same_placeholders("{n} steps", "{n} 个步骤").is_ok());
    assert!(walk::same_placeholders("{} of {}", "{1} 中的 {0}").is_ok());
    assert!(walk::same_placeholders("{} of {}", "{0}").is_err());
    let e = walk::same_placeholders("{n} of {total}", "共 {total} 个").unwrap_err();
    assert!(e.contains("n"), "{e}");
}

#[test]
fn a_catalogue_with_a_key_twice_is_refused() {
    let e = catalogue::parse(r#"{"Open": "打开", "Open": "开"}"#, "t").unwrap_err();
    assert!(e.contains("twice"), "{e}");
    assert!(catalogue::parse(r#"["Open"]"#, "t").is_err());
    assert!(catalogue::parse(r#"{"Open": 1}"#, "t").is_err());
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every string the console shows, from its sources: the English catalogue.
fn english() -> BTreeSet<String> {
    let web = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["src", "model/src"] {
        rust_files(&web.join(dir), &mut files);
    }
    let mut out = BTreeSet::new();
    for file in files {
        let src = std::fs::read_to_string(&file).unwrap();
        // A `view!` from Leptos' prelude would be read here and never
        // translated: every file with one takes ours.
        assert!(
            !src.contains("view! {") || src.contains("use coc_i18n::view;"),
            "{} has a view! but not `use coc_i18n::view;`",
            file.display()
        );
        let tokens: TokenStream = src
            .parse()
            .unwrap_or_else(|e| panic!("{}: {e:?}", file.display()));
        walk::strings_in(tokens, &mut out);
    }
    out
}

/// Whether English may stand as its own translation: ids, paths, key
/// names and acronyms ("JSON", "g t", "HTTP 403") have no plain word in
/// lower case; "local" is what the time-zone field takes, in any language.
fn may_stay_english(s: &str) -> bool {
    const TYPED_AS_IS: [&str; 1] = ["local"];
    TYPED_AS_IS.contains(&s)
        || !s.split_whitespace().any(|w| {
            let w = w.trim_matches(|c: char| ",.:;()?!\"'".contains(c));
            w.len() >= 3 && w.chars().all(|c| c.is_ascii_lowercase())
        })
}

#[test]
fn the_chinese_catalogue_has_every_string_of_the_sources_and_no_other() {
    let english = english();
    assert!(
        english.len() > 100,
        "only {} strings found: is the walk broken?",
        english.len()
    );
    let zh = catalogue::parse(catalogue::ZH_CN, "zh-CN").unwrap();
    let missing: Vec<_> = english.iter().filter(|s| !zh.contains_key(*s)).collect();
    let unused: Vec<_> = zh.keys().filter(|s| !english.contains(*s)).collect();
    let untranslated: Vec<_> = zh
        .iter()
        .filter(|(en, zh)| en == zh && !may_stay_english(en))
        .map(|(en, _)| en)
        .collect();
    let mismatched: Vec<_> = zh
        .iter()
        .filter_map(|(en, t)| walk::same_placeholders(en, t).err())
        .collect();
    for s in &missing {
        eprintln!("missing: {}: \"\",", serde_json::to_string(s).unwrap());
    }
    eprintln!("{} strings; {} translated", english.len(), zh.len());
    assert!(
        missing.is_empty(),
        "{} without a translation (listed above)",
        missing.len()
    );
    assert!(
        unused.is_empty(),
        "in zh-CN.json but shown nowhere: {unused:?}"
    );
    assert!(untranslated.is_empty(), "left in English: {untranslated:?}");
    assert!(mismatched.is_empty(), "{mismatched:?}");
}
