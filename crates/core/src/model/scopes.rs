//! The Coupa scope catalog: every scope Coupa is known to offer, with its group
//! (`service.object`), its right and a one-line description. The data lives in
//! `data/coupa-scopes.json`, not in code; instances differ, so names the catalog does not know
//! are accepted and flagged rather than refused.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use specta::Type;

/// One scope of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ScopeInfo {
    /// The scope as requested, e.g. `core.invoice.read`.
    pub name: String,
    /// `service.object`, e.g. `core.invoice`; `standard` for the OpenID Connect scopes.
    pub group: String,
    /// `read`, `write`, `create`, `delete`, `read_write`, …; empty for the standard scopes.
    pub right: String,
    /// The group's name for people, e.g. "Invoices".
    pub label: String,
    /// What the scope grants, in one line.
    pub description: String,
    /// One of the OpenID Connect scopes (openid, profile, email, login, offline_access).
    #[serde(default)]
    pub standard: bool,
}

/// A group of scopes on one object, e.g. "Invoices — read, write, create, delete".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ScopeGroup {
    /// `service.object`, or `standard`.
    pub group: String,
    /// The group's name for people.
    pub label: String,
    /// Its scopes, in catalog order.
    pub scopes: Vec<ScopeInfo>,
}

#[derive(Debug, Deserialize)]
struct CatalogFile {
    version: u32,
    scopes: Vec<ScopeInfo>,
}

/// The catalog of one provider's scopes.
#[derive(Debug)]
pub struct ScopeCatalog {
    scopes: Vec<ScopeInfo>,
}

impl ScopeCatalog {
    /// Coupa's catalog, parsed once from the bundled data file.
    pub fn coupa() -> &'static ScopeCatalog {
        static CATALOG: OnceLock<ScopeCatalog> = OnceLock::new();
        CATALOG.get_or_init(|| {
            let file: CatalogFile =
                serde_json::from_str(include_str!("../../data/coupa-scopes.json"))
                    .unwrap_or_else(|err| panic!("data/coupa-scopes.json is malformed: {err}"));
            assert_eq!(
                file.version, 1,
                "data/coupa-scopes.json has an unknown version"
            );
            ScopeCatalog {
                scopes: file.scopes,
            }
        })
    }

    /// The catalog a server's metadata offers (`scopes_supported`, RFC 8414 §2): the OpenID
    /// Connect scopes described as Coupa's catalog describes them, the others as they are named.
    pub fn from_metadata(meta: &crate::oauth::discovery::ServerMetadata) -> ScopeCatalog {
        let known = Self::coupa();
        let scopes = meta
            .scopes_supported
            .iter()
            .map(|name| match known.get(name).filter(|s| s.standard) {
                Some(standard) => standard.clone(),
                None => ScopeInfo {
                    name: name.clone(),
                    group: "server".to_owned(),
                    right: String::new(),
                    label: "Offered by the server".to_owned(),
                    description: "Listed in the server's metadata (scopes_supported).".to_owned(),
                    standard: false,
                },
            })
            .collect();
        ScopeCatalog { scopes }
    }

    /// Every scope, in catalog order (the standard ones first).
    pub fn all(&self) -> &[ScopeInfo] {
        &self.scopes
    }

    /// The scope with this exact name.
    pub fn get(&self, name: &str) -> Option<&ScopeInfo> {
        self.scopes.iter().find(|s| s.name == name)
    }

    /// Whether the catalog knows this scope.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Scopes whose name, label or description contains `query` (case-insensitive). Every word
    /// of the query must match, so "invoice read" finds `core.invoice.read`.
    pub fn search(&self, query: &str) -> Vec<&ScopeInfo> {
        let words: Vec<String> = query
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .map(str::to_lowercase)
            .collect();
        self.scopes
            .iter()
            .filter(|s| {
                let hay = format!("{} {} {}", s.name, s.label, s.description).to_lowercase();
                words.iter().all(|w| hay.contains(w.as_str()))
            })
            .collect()
    }

    /// The scopes grouped by object, groups in catalog order.
    pub fn groups(&self) -> Vec<ScopeGroup> {
        let mut groups: Vec<ScopeGroup> = Vec::new();
        for s in &self.scopes {
            match groups.iter_mut().find(|g| g.group == s.group) {
                Some(g) => g.scopes.push(s.clone()),
                None => groups.push(ScopeGroup {
                    group: s.group.clone(),
                    label: s.label.clone(),
                    scopes: vec![s.clone()],
                }),
            }
        }
        groups
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_has_the_standard_scopes_marked_and_first() {
        let cat = ScopeCatalog::coupa();
        let standard: Vec<&str> = cat
            .all()
            .iter()
            .take_while(|s| s.standard)
            .map(|s| s.name.as_str())
            .collect();
        assert_eq!(
            standard,
            ["openid", "profile", "email", "login", "offline_access"]
        );
        assert!(cat.all().iter().skip(5).all(|s| !s.standard));
    }

    #[test]
    fn catalog_names_are_unique_and_split_into_group_and_right() {
        let cat = ScopeCatalog::coupa();
        let mut names: Vec<&str> = cat.all().iter().map(|s| s.name.as_str()).collect();
        let n = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), n, "no scope is listed twice");
        assert!(n > 150, "the catalog holds Coupa's scopes ({n})");
        for s in cat.all().iter().filter(|s| !s.standard) {
            assert_eq!(
                s.name,
                format!("{}.{}", s.group, s.right),
                "{} = group.right",
                s.name
            );
            assert!(!s.description.is_empty(), "{} has a description", s.name);
        }
    }

    #[test]
    fn catalog_knows_the_scopes_other_platforms_require() {
        let cat = ScopeCatalog::coupa();
        for name in [
            "core.user.read",
            "core.common.read",
            "core.accounting.read",
            "core.invoice.delete",
            "core.invoice.approval.bypass",
            "core.address.read_write",
            "treasury.financial_instruments.money_market_fund.write",
            "csp.invoices.read",
        ] {
            assert!(cat.contains(name), "{name} is in the catalog");
        }
        assert!(!cat.contains("core.invoices.read"), "a near miss is not");
    }

    #[test]
    fn search_matches_names_and_descriptions_by_every_word() {
        let cat = ScopeCatalog::coupa();
        let names =
            |q: &str| -> Vec<String> { cat.search(q).iter().map(|s| s.name.clone()).collect() };
        assert_eq!(
            names("invoice.read"),
            ["core.invoice.read", "core.payables.invoice.read"],
            "substring of the name"
        );
        assert!(names("INVOICE DELETE").contains(&"core.invoice.delete".to_owned()));
        assert!(
            names("refresh token").contains(&"offline_access".to_owned()),
            "descriptions are searched"
        );
        assert!(names("no-such-thing").is_empty());
        assert_eq!(
            cat.search("").len(),
            cat.all().len(),
            "an empty query lists all"
        );
    }

    #[test]
    fn groups_collect_the_rights_of_one_object() {
        let groups = ScopeCatalog::coupa().groups();
        let invoices = groups
            .iter()
            .find(|g| g.group == "core.invoice")
            .expect("an invoices group");
        let rights: Vec<&str> = invoices.scopes.iter().map(|s| s.right.as_str()).collect();
        assert_eq!(rights, ["read", "write", "create", "delete"]);
        assert_eq!(
            groups[0].group, "standard",
            "the standard scopes are grouped apart, first"
        );
    }
}
