//! Who may do what: roles and per-operation grants for users and groups,
//! from a small TOML file (`--policy FILE`).
//!
//! ```toml
//! # Role of a signed-in operator whom no rule below names; "none" refuses
//! # them everything. Default: "viewer".
//! default_role = "viewer"
//!
//! [users.ana]
//! role = "admin"
//!
//! [users.bob]
//! role = "viewer"
//! allow = ["RESUME", "RETRY"]   # per-operation grants on top of the role
//!
//! [groups.sre]                   # proxy mode: matched against the groups header
//! role = "operator"
//! ```
//!
//! What an identity gets is the union of: the role its mode gives (the
//! token's role, admin for the local operator), its user rule, each of its
//! groups' rules, and the default role when nothing else gave it any.
//! Grants only add; nothing in the file takes a permission away, so the
//! union is easy to reason about.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use coc_core::gateway::Permission;
use coc_core::{OperateType, gateway::Me};
use serde::Deserialize;

use super::{Identity, Role};

/// A policy file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("policy file {path}: {reason}")]
pub struct PolicyError {
    path: String,
    reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
struct Rule {
    #[serde(default)]
    role: Option<Role>,
    #[serde(default)]
    allow: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    default_role: Option<String>,
    #[serde(default)]
    users: BTreeMap<String, Rule>,
    #[serde(default)]
    groups: BTreeMap<String, Rule>,
}

/// A parsed grant: a role and extra permissions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Grant {
    role: Option<Role>,
    allow: Vec<Permission>,
}

/// The loaded policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    default_role: Option<Role>,
    users: BTreeMap<String, Grant>,
    groups: BTreeMap<String, Grant>,
}

impl Default for Policy {
    /// No file: every signed-in operator without a role of their own is a
    /// viewer.
    fn default() -> Self {
        Self {
            default_role: Some(Role::Viewer),
            users: BTreeMap::new(),
            groups: BTreeMap::new(),
        }
    }
}

/// What one identity may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grants {
    /// Role names, highest first.
    pub roles: Vec<&'static str>,
    permissions: BTreeSet<&'static str>,
}

impl Grants {
    /// True when `p` is granted.
    pub fn may(&self, p: Permission) -> bool {
        self.permissions.contains(p.as_str())
    }

    /// "role viewer", "roles operator, viewer" or "no role", for messages.
    pub fn describe_roles(&self) -> String {
        match self.roles.as_slice() {
            [] => "no role".to_owned(),
            [one] => format!("role {one}"),
            many => format!("roles {}", many.join(", ")),
        }
    }

    /// `/gateway/v1/me` for this identity.
    pub fn me(&self, id: &Identity, mode: &str, require_reason: &[OperateType]) -> Me {
        Me {
            operator: id.name.clone(),
            email: id.email.clone(),
            groups: id.groups.clone(),
            mode: mode.to_owned(),
            roles: self.roles.iter().map(|r| (*r).to_owned()).collect(),
            permissions: Permission::ALL
                .into_iter()
                .filter(|p| self.may(*p))
                .map(|p| p.as_str().to_owned())
                .collect(),
            require_reason: require_reason
                .iter()
                .map(|o| o.as_str().to_owned())
                .collect(),
        }
    }
}

fn role_permissions(role: Role) -> &'static [Permission] {
    const VIEWER: &[Permission] = &[Permission::Read];
    const OPERATOR: &[Permission] = &[
        Permission::Read,
        Permission::Operate(OperateType::Resume),
        Permission::Operate(OperateType::Retry),
        Permission::Operate(OperateType::SkipBatch),
        Permission::Operate(OperateType::Terminate),
    ];
    match role {
        Role::Viewer => VIEWER,
        Role::Operator => OPERATOR,
        Role::Admin => &Permission::ALL,
    }
}

impl Policy {
    /// Reads and checks a policy file.
    pub fn load(path: &Path) -> Result<Self, PolicyError> {
        let err = |reason: String| PolicyError {
            path: path.display().to_string(),
            reason,
        };
        let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
        Self::parse(&text).map_err(err)
    }

    /// Parses a policy file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        let file: PolicyFile = toml::from_str(text).map_err(|e| e.to_string())?;
        let convert = |kind: &str, rules: BTreeMap<String, Rule>| {
            rules
                .into_iter()
                .map(|(name, rule)| {
                    let allow = rule
                        .allow
                        .iter()
                        .map(|p| Permission::parse(p).map_err(|e| format!("{kind}.{name}: {e}")))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok((
                        name,
                        Grant {
                            role: rule.role,
                            allow,
                        },
                    ))
                })
                .collect::<Result<BTreeMap<_, _>, String>>()
        };
        let default_role = match file.default_role.as_deref() {
            None => Some(Role::Viewer),
            Some("none") => None,
            Some(r) => Some(Role::parse(r).map_err(|e| format!("default_role: {e}"))?),
        };
        Ok(Self {
            default_role,
            users: convert("users", file.users)?,
            groups: convert("groups", file.groups)?,
        })
    }

    /// What `id` may do.
    pub fn grants(&self, id: &Identity) -> Grants {
        let mut rules: Vec<&Grant> = Vec::new();
        let base = id.base_role.map(|role| Grant {
            role: Some(role),
            allow: Vec::new(),
        });
        rules.extend(base.as_ref());
        rules.extend(self.users.get(&id.name));
        rules.extend(id.groups.iter().filter_map(|g| self.groups.get(g)));
        let default = self.default_role.map(|role| Grant {
            role: Some(role),
            allow: Vec::new(),
        });
        if rules.is_empty() {
            rules.extend(default.as_ref());
        }
        let mut roles: BTreeSet<Role> = BTreeSet::new();
        let mut permissions = BTreeSet::new();
        for g in rules {
            if let Some(role) = g.role {
                roles.insert(role);
                permissions.extend(role_permissions(role).iter().map(Permission::as_str));
            }
            permissions.extend(g.allow.iter().map(Permission::as_str));
        }
        Grants {
            roles: roles.iter().rev().map(Role::as_str).collect(),
            permissions,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str, groups: &[&str], base: Option<Role>) -> Identity {
        Identity {
            name: name.to_owned(),
            email: None,
            groups: groups.iter().map(|g| (*g).to_owned()).collect(),
            base_role: base,
            source: "127.0.0.1".to_owned(),
        }
    }

    const TERMINATE: Permission = Permission::Operate(OperateType::Terminate);
    const RESUME: Permission = Permission::Operate(OperateType::Resume);

    #[test]
    fn roles_nest_and_grants_add_up() {
        let p = Policy::parse(
            r#"
            default_role = "viewer"
            [users.bob]
            role = "viewer"
            allow = ["RESUME"]
            [groups.sre]
            role = "operator"
            [groups.release]
            allow = ["EXECUTE_DOCUMENT"]
            "#,
        )
        .unwrap();
        let bob = p.grants(&id("bob", &[], None));
        assert!(bob.may(Permission::Read) && bob.may(RESUME) && !bob.may(TERMINATE));
        assert_eq!(bob.describe_roles(), "role viewer");
        let sre = p.grants(&id("cy", &["sre", "release"], None));
        assert!(sre.may(TERMINATE) && sre.may(Permission::ExecuteDocument));
        let nobody = p.grants(&id("dee", &["unknown"], None));
        assert_eq!(nobody.roles, ["viewer"]);
        assert!(!nobody.may(TERMINATE));
        // A token's role counts, and a policy rule adds to it.
        let tok = p.grants(&id("bob", &[], Some(Role::Operator)));
        assert_eq!(tok.roles, ["operator", "viewer"]);
        assert!(tok.may(TERMINATE));
    }

    #[test]
    fn no_default_role_means_nothing_for_strangers() {
        let p = Policy::parse("default_role = \"admin\"\n").unwrap();
        assert!(
            p.grants(&id("x", &[], None))
                .may(Permission::ExecuteDocument)
        );
        let p = Policy::parse("[users.ana]\nrole = \"operator\"\n").unwrap();
        assert!(
            p.grants(&id("x", &[], None)).may(Permission::Read),
            "default is viewer"
        );
        let p = Policy::parse("default_role = \"none\"\n").unwrap();
        let g = p.grants(&id("x", &[], None));
        assert!(!g.may(Permission::Read));
        assert_eq!(g.describe_roles(), "no role");
    }

    #[test]
    fn mistakes_in_the_file_are_refused_with_where() {
        for (bad, needle) in [
            ("[users.a]\nrole = \"root\"\n", "root"),
            ("[users.a]\nallow = [\"DELETE\"]\n", "users.a"),
            ("[user.a]\nrole = \"viewer\"\n", "user"),
            ("[users.a]\nrol = \"viewer\"\n", "rol"),
        ] {
            let err = Policy::parse(bad).unwrap_err();
            assert!(err.contains(needle), "{bad}: {err}");
        }
    }
}
