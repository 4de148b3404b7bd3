//! The connection list's rules: which saved connections a search finds, in which order, and
//! one page of them. A front end shows a window onto a list of thousands: it asks for the rows
//! in view and gets them with the totals, so what crosses to it stays small whatever the count.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};
use specta::Type;

use crate::model::connection::{Connection, ConnectionSummary};

/// How the connection list is ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, Type)]
#[serde(rename_all = "snake_case")]
pub enum ListSort {
    /// By name, A to Z: any case, accents aside, numbers by value ("Acme 9" before "Acme 10").
    #[default]
    Name,
    /// Most recently used first, then by name.
    LastUsed,
    /// Most recently tested first, then by name.
    LastTested,
}

impl ListSort {
    fn slot(self) -> usize {
        match self {
            ListSort::Name => 0,
            ListSort::LastUsed => 1,
            ListSort::LastTested => 2,
        }
    }
}

/// What a front end asks of the list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Type)]
#[serde(rename_all = "camelCase", default)]
pub struct ListQuery {
    /// Words that each listed connection's name, host or scopes all contain, in any case;
    /// blank lists every connection.
    pub search: String,
    /// The order.
    pub sort: ListSort,
    /// The first row wanted, counted from 0 in the matching list.
    pub offset: u32,
    /// How many rows at most.
    pub limit: u32,
    /// A connection (its id) whose position in the matching list is wanted: the selection.
    pub locate: Option<String>,
}

/// One page of the list, with what the front end needs to draw the rest of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Type)]
#[serde(rename_all = "camelCase")]
pub struct ListPage {
    /// How many connections are saved.
    pub saved: u32,
    /// How many the search finds (all of them when it is blank).
    pub matching: u32,
    /// The position of the first row, as asked (or the end of the list, when past it).
    pub offset: u32,
    /// The rows from `offset`, at most `limit` of them.
    pub rows: Vec<ConnectionSummary>,
    /// Where the connection asked for by `locate` is in the matching list, if it is there.
    pub located: Option<u32>,
}

/// The saved connections prepared for listing: each one's search text, and each order once it
/// has been asked for. Built from one read of the saved connections, and good for as long as
/// that read is current.
#[derive(Debug)]
pub struct ListIndex {
    haystacks: Vec<String>,
    orders: [OnceLock<Vec<u32>>; 3],
}

impl ListIndex {
    /// Prepares `connections` for listing.
    pub fn new(connections: &[Connection]) -> Self {
        let haystacks = connections
            .iter()
            .map(|c| {
                format!(
                    "{}\n{}\n{}",
                    c.settings.name,
                    c.host(),
                    c.settings.scopes.join(" ")
                )
                .to_lowercase()
            })
            .collect();
        ListIndex {
            haystacks,
            orders: Default::default(),
        }
    }

    /// The page `query` asks for of `connections` (the ones this index was built from).
    pub fn page(&self, connections: &[Connection], query: &ListQuery) -> ListPage {
        let order = self.orders[query.sort.slot()].get_or_init(|| order(connections, query.sort));
        let query_text = query.search.to_lowercase();
        let words: Vec<&str> = query_text.split_whitespace().collect();
        // No search: the order itself, not a copy of it.
        let matching: Cow<'_, [u32]> = if words.is_empty() {
            Cow::Borrowed(order)
        } else {
            order
                .iter()
                .copied()
                .filter(|&i| {
                    let hay = &self.haystacks[i as usize];
                    words.iter().all(|w| hay.contains(w))
                })
                .collect()
        };
        let located = query.locate.as_deref().and_then(|id| {
            matching
                .iter()
                .position(|&i| connections[i as usize].id == id)
                .map(count)
        });
        let start = (query.offset as usize).min(matching.len());
        let end = start
            .saturating_add(query.limit as usize)
            .min(matching.len());
        ListPage {
            saved: count(connections.len()),
            matching: count(matching.len()),
            offset: count(start),
            rows: matching[start..end]
                .iter()
                .map(|&i| connections[i as usize].summary())
                .collect(),
            located,
        }
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// The positions of `connections` in the order `sort` says; equal ones stay in the order they
/// were created.
fn order(connections: &[Connection], sort: ListSort) -> Vec<u32> {
    let mut order: Vec<u32> = (0..count(connections.len())).collect();
    let by_name = |a: &Connection, b: &Connection| {
        lexical_sort::natural_lexical_cmp(&a.settings.name, &b.settings.name)
    };
    let compare = |a: &u32, b: &u32| -> Ordering {
        let (a, b) = (&connections[*a as usize], &connections[*b as usize]);
        match sort {
            ListSort::Name => by_name(a, b),
            ListSort::LastUsed => b.last_used.cmp(&a.last_used).then_with(|| by_name(a, b)),
            ListSort::LastTested => {
                let at = |c: &Connection| c.last_test.as_ref().map(|t| t.at);
                at(b).cmp(&at(a)).then_with(|| by_name(a, b))
            }
        }
    };
    order.sort_by(compare);
    order
}

#[cfg(test)]
mod tests;
