//! `make bench` helper: fills a data folder with N saved connections (no secrets) for the
//! 10,000-connection benchmark of the window (`tests/bench/list-10k.mjs`), then prints how long
//! the store takes to load them, against parsing the same file as plain JSON in the same run.
//!
//! Usage: `seed_connections <data dir> <count>`

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use connmgr_core::model::connection::{
    Connection, ConnectionSettings, CoupaDomain, GrantType, TestSummary,
};
use connmgr_core::model::validate::{Context, validate};
use connmgr_core::storage::connections_file::Store;
use connmgr_core::storage::keyring::MemoryStore;
use connmgr_core::{Error, SavedConnections};

const SCOPES: &[&str] = &[
    "core.user.read",
    "core.invoice.read",
    "core.invoice.write",
    "core.supplier.read",
    "core.purchase_order.read",
    "core.expense.read",
    "openid",
    "offline_access",
];

fn connection(i: usize) -> Result<Connection, Error> {
    let org = format!("org{i:05}");
    let settings = ConnectionSettings {
        name: format!(
            "Connection {i:05} {}",
            ["prod", "test", "sandbox", "dev"][i % 4]
        ),
        coupa_domain: if i.is_multiple_of(3) {
            CoupaDomain::Partner
        } else {
            CoupaDomain::Customer
        },
        subdomain: org,
        client_id: format!("client-{i}"),
        grant_type: if i.is_multiple_of(2) {
            GrantType::ClientCredentials
        } else {
            GrantType::AuthorizationCode
        },
        valid_domains: vec!["coupahost.com".to_owned(), "coupacloud.com".to_owned()],
        scopes: SCOPES
            .iter()
            .take(1 + i % SCOPES.len())
            .map(|s| (*s).to_owned())
            .collect(),
        ..ConnectionSettings::new_coupa()
    };
    let verdict = validate(
        &settings,
        Context {
            other_names: &[],
            has_client_secret: true,
            secret_is_empty: false,
        },
    );
    let endpoints = verdict
        .endpoints
        .ok_or_else(|| Error::Validation(verdict.errors.clone()))?;
    let at = connmgr_core::time::Timestamp::parse("2026-11-24T09:00:00.000Z")
        .ok_or_else(|| Error::Internal("the seed time".to_owned()))?;
    Ok(Connection {
        id: format!("00000000-0000-4000-8000-{i:012}"),
        settings: verdict.normalized,
        endpoints,
        has_client_secret: false,
        created_at: at,
        updated_at: at,
        last_test: (!i.is_multiple_of(5)).then(|| TestSummary {
            ok: !i.is_multiple_of(7),
            at,
            summary: "All 3 steps passed".to_owned(),
        }),
        last_used: Some(at),
        token: None,
        needs_client_secret: false,
    })
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

#[expect(clippy::print_stdout, reason = "a benchmark helper prints its figures")]
fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(count)) = (args.next(), args.next()) else {
        return Err("usage: seed_connections <data dir> <count>".into());
    };
    let dir = PathBuf::from(dir);
    let count: usize = count.parse()?;
    let list = (0..count).map(connection).collect::<Result<Vec<_>, _>>()?;
    let connections = SavedConnections::new(Store::new(&dir), Arc::new(MemoryStore::new()));
    connections.store().update(|saved| {
        saved.clear();
        saved.extend(list);
        Ok(())
    })?;
    let path = connections.store().path();
    let bytes = std::fs::read(&path)?;

    let rounds = 15;
    let (mut store, mut raw) = (Vec::new(), Vec::new());
    for _ in 0..rounds {
        // A new store each round: the file read and parsed, as at startup (a store keeps the
        // list in memory once read).
        let t = Instant::now();
        let n = Store::new(&dir).read()?.len();
        store.push(t.elapsed());
        assert_eq!(n, count);
        let t = Instant::now();
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&path)?)?;
        raw.push(t.elapsed());
        assert!(v.is_object());
    }
    let (s, r) = (median(store), median(raw));
    println!(
        "bench: store load, {count} connections ({} KiB), median of {rounds}: {:.2} ms vs {:.2} ms (plain JSON parse of the file) = {:.2}x",
        bytes.len() / 1024,
        s.as_secs_f64() * 1e3,
        r.as_secs_f64() * 1e3,
        s.as_secs_f64() / r.as_secs_f64()
    );
    Ok(())
}
