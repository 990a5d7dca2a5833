//! The catalogues: English → the language, one JSON object per language.

use std::collections::BTreeMap;
use std::sync::OnceLock;

/// The 简体中文 catalogue, read when the macros are compiled, so an edit to
/// it rebuilds every crate that uses them.
pub(crate) const ZH_CN: &str = include_str!("../zh-CN.json");

#[cfg(feature = "zh-CN")]
pub(crate) const LANG: &str = "zh-CN";
#[cfg(not(feature = "zh-CN"))]
pub(crate) const LANG: &str = "en";

#[cfg(feature = "zh-CN")]
pub(crate) const LANG_NAME: &str = "简体中文";
#[cfg(not(feature = "zh-CN"))]
pub(crate) const LANG_NAME: &str = "English";

pub(crate) type Catalogue = BTreeMap<String, String>;

/// The catalogue of this build's language; none for English, the source's
/// own.
pub(crate) fn active() -> Option<&'static Result<Catalogue, String>> {
    static ZH: OnceLock<Result<Catalogue, String>> = OnceLock::new();
    cfg!(feature = "zh-CN").then(|| ZH.get_or_init(|| parse(ZH_CN, "zh-CN")))
}

/// A catalogue from its JSON: an object of strings, no key twice (JSON
/// allows it and a map would keep the last one silently).
pub(crate) fn parse(json: &str, name: &str) -> Result<Catalogue, String> {
    // Read as entries: serde_json's Map would keep the last of a repeated
    // key without a word.
    let mut de = serde_json::Deserializer::from_str(json);
    let pairs = Entries::deserialize(&mut de)
        .and_then(|e| de.end().map(|()| e.0))
        .map_err(|e| format!("web/i18n/{name}.json: {e}"))?;
    let mut out = Catalogue::new();
    for (k, v) in pairs {
        if out.insert(k.clone(), v).is_some() {
            return Err(format!("web/i18n/{name}.json: {k:?} is there twice"));
        }
    }
    Ok(out)
}

struct Entries(Vec<(String, String)>);

impl Entries {
    fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an object of strings")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Entries, A::Error> {
                let mut out = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    out.push(entry);
                }
                Ok(Entries(out))
            }
        }
        d.deserialize_map(V)
    }
}
