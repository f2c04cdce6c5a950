//! One pagination shape for every list: `?cursor=...&limit=N` in, `{"items": [...],
//! "next_cursor": "..." | null}` out. A client pages any list with the same loop, and the
//! OpenAPI document describes the shape once ([`page_schema`]).
//!
//! Lists the store already pages (events, recipients, inbound, suppressions, deliveries)
//! pass the cursor through; short per-principal lists the store returns whole (pending
//! changes, webhooks, groups) are paged here by their sort key with [`slice`].

use super::events::query_pairs;
use std::str::FromStr;

/// What a list request asked for: the page position and size, and its other parameters.
pub struct PageQuery {
    pub cursor: Option<String>,
    pub limit: usize,
    /// The list's own filters (already checked to be among the names it accepts).
    pub filters: Vec<(String, String)>,
}

/// Reads `cursor` and `limit` (1 to `max`, `default` when absent) and the `filters` the list
/// accepts; any other parameter is refused with a message (for a 400) naming the accepted ones.
pub fn parse(query: Option<&str>, default: usize, max: usize, filters: &[&str]) -> Result<PageQuery, String> {
    let mut out = PageQuery {
        cursor: None,
        limit: default,
        filters: Vec::new(),
    };
    for (k, v) in query_pairs(query) {
        match k.as_str() {
            "cursor" if !v.is_empty() => out.cursor = Some(v),
            "cursor" => {}
            "limit" => match v.parse::<usize>() {
                Ok(n) if (1..=max).contains(&n) => out.limit = n,
                _ => return Err(format!("limit must be a number from 1 to {max}")),
            },
            _ if filters.contains(&k.as_str()) => out.filters.push((k, v)),
            _ => {
                let mut known = vec!["cursor", "limit"];
                known.extend_from_slice(filters);
                return Err(format!("unknown query parameter `{k}`; use {}", known.join(", ")));
            }
        }
    }
    Ok(out)
}

/// The response body of a page.
pub fn body(items: Vec<serde_json::Value>, next_cursor: Option<String>) -> serde_json::Value {
    serde_json::json!({ "items": items, "next_cursor": next_cursor })
}

/// A page of a whole list sorted by `key`: the items after `cursor` (a key this function
/// issued), at most `limit` of them, and the cursor for the rest. A cursor that is not a
/// key is refused (a 400), as a store would refuse it.
pub fn slice<T, K>(
    items: Vec<T>,
    key: impl Fn(&T) -> K,
    cursor: Option<&str>,
    limit: usize,
) -> Result<(Vec<T>, Option<String>), String>
where
    K: Ord + ToString + FromStr,
{
    let after = match cursor {
        Some(c) => Some(
            c.parse::<K>()
                .map_err(|_| format!("{c:?} is not a cursor this listing issued"))?,
        ),
        None => None,
    };
    let mut items: Vec<T> = items
        .into_iter()
        .filter(|i| after.as_ref().is_none_or(|a| key(i) > *a))
        .collect();
    items.sort_by_key(|i| key(i));
    let next = if items.len() > limit {
        items.truncate(limit);
        items.last().map(|i| key(i).to_string())
    } else {
        None
    };
    Ok((items, next))
}

/// The JSON Schema of a page of `item` (a component name).
pub fn page_schema(item: &str) -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "required": ["items", "next_cursor"],
        "properties": {
            "items": { "type": "array", "items": { "$ref": format!("#/components/schemas/{item}") } },
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last page."
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_walk_a_sorted_list_without_gaps_or_repeats() {
        let all: Vec<u64> = vec![5, 1, 4, 2, 3];
        let (first, next) = slice(all.clone(), |i| *i, None, 2).unwrap();
        assert_eq!((first, next.as_deref()), (vec![1, 2], Some("2")));
        let (second, next) = slice(all.clone(), |i| *i, Some("2"), 2).unwrap();
        assert_eq!((second, next.as_deref()), (vec![3, 4], Some("4")));
        let (last, next) = slice(all.clone(), |i| *i, Some("4"), 2).unwrap();
        assert_eq!((last, next), (vec![5], None));
        assert!(slice(all, |i| *i, Some("x"), 2).is_err());
    }

    #[test]
    fn limits_outside_the_range_and_unknown_parameters_are_refused() {
        assert!(parse(Some("limit=0"), 10, 100, &[]).is_err());
        assert!(parse(Some("limit=101"), 10, 100, &[]).is_err());
        assert!(parse(Some("colour=red"), 10, 100, &[]).is_err());
        let q = parse(Some("limit=7&cursor=abc&source=lmtp"), 10, 100, &["source"])
            .map_err(|_| ())
            .unwrap();
        assert_eq!((q.limit, q.cursor.as_deref()), (7, Some("abc")));
        assert_eq!(q.filters, vec![("source".to_string(), "lmtp".to_string())]);
    }
}
