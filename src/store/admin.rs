//! APIs written through the admin API: one row per API holding its whole record (the API,
//! its routes, integrations, authorizers, stages and deployments) as JSON text, opaque here.
//!
//! Every write bumps `admin_generation`, so a gateway node notices another node's writes by
//! reading one integer. A change runs in one IMMEDIATE transaction: read, let the caller
//! decide, write — so two writers (threads or processes) never lose each other's changes.

use rusqlite::{OptionalExtension, Transaction, params};

use super::{Store, StoreError};

/// What a caller decided about one API's record.
pub enum AdminChange<T> {
    /// Write this record (insert or replace).
    Put(String, T),
    /// Delete the API.
    Delete(T),
    /// Change nothing.
    Keep(T),
}

impl Store {
    /// Every admin-API record, oldest first, as `(api_id, record)`.
    pub fn admin_apis(&self) -> Result<Vec<(String, String)>, StoreError> {
        let conn = self.lock();
        let mut stmt = conn.prepare("SELECT api_id, record FROM admin_apis ORDER BY seq")?;
        let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// One API's record.
    pub fn admin_api(&self, api_id: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT record FROM admin_apis WHERE api_id = ?1", [api_id], |row| {
                row.get(0)
            })
            .optional()?)
    }

    /// The number of admin-API writes ever committed to this store.
    pub fn admin_generation(&self) -> Result<i64, StoreError> {
        Ok(self
            .lock()
            .query_row("SELECT value FROM admin_generation WHERE id = 1", [], |row| row.get(0))?)
    }

    /// Reads `api_id`'s record (`None` if absent), lets `decide` choose, and applies the
    /// choice atomically. An `Err` from `decide` changes nothing.
    pub fn admin_change<T, E>(
        &self,
        api_id: &str,
        decide: impl FnOnce(Option<String>) -> Result<AdminChange<T>, E>,
    ) -> Result<Result<T, E>, StoreError> {
        self.write(|tx| {
            let current: Option<String> = tx
                .query_row("SELECT record FROM admin_apis WHERE api_id = ?1", [api_id], |row| {
                    row.get(0)
                })
                .optional()?;
            match decide(current) {
                Err(e) => Ok(Err(e)),
                Ok(AdminChange::Keep(value)) => Ok(Ok(value)),
                Ok(AdminChange::Put(record, value)) => {
                    tx.execute(
                        "INSERT INTO admin_apis (api_id, seq, record)
                         VALUES (?1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM admin_apis), ?2)
                         ON CONFLICT (api_id) DO UPDATE SET record = excluded.record",
                        params![api_id, record],
                    )?;
                    bump(tx)?;
                    Ok(Ok(value))
                }
                Ok(AdminChange::Delete(value)) => {
                    tx.execute("DELETE FROM admin_apis WHERE api_id = ?1", [api_id])?;
                    bump(tx)?;
                    Ok(Ok(value))
                }
            }
        })
    }
}

fn bump(tx: &Transaction<'_>) -> Result<(), StoreError> {
    tx.execute("UPDATE admin_generation SET value = value + 1 WHERE id = 1", [])?;
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn records_keep_creation_order_and_every_write_bumps_the_generation() {
        let store = Store::open_in_memory().unwrap();
        assert_eq!(store.admin_generation().unwrap(), 0);
        for id in ["b", "a", "c"] {
            let put = store.admin_change(id, |cur| {
                assert!(cur.is_none());
                Ok::<_, ()>(AdminChange::Put(format!("{{\"id\":\"{id}\"}}"), ()))
            });
            put.unwrap().unwrap();
        }
        store
            .admin_change("a", |cur| Ok::<_, ()>(AdminChange::Put(cur.unwrap() + " ", ())))
            .unwrap()
            .unwrap();
        let ids: Vec<String> = store.admin_apis().unwrap().into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["b", "a", "c"], "an update keeps the API's place");
        assert_eq!(store.admin_generation().unwrap(), 4);
        store
            .admin_change("b", |_| Ok::<_, ()>(AdminChange::Delete(())))
            .unwrap()
            .unwrap();
        assert_eq!(store.admin_api("b").unwrap(), None);
        assert_eq!(store.admin_generation().unwrap(), 5);
    }

    #[test]
    fn a_refused_change_writes_nothing() {
        let store = Store::open_in_memory().unwrap();
        let out = store.admin_change("x", |_| Err::<AdminChange<()>, _>("no")).unwrap();
        assert_eq!(out, Err("no"));
        store
            .admin_change("x", |_| Ok::<_, ()>(AdminChange::Keep(())))
            .unwrap()
            .unwrap();
        assert_eq!(store.admin_generation().unwrap(), 0);
        assert!(store.admin_apis().unwrap().is_empty());
    }

    #[test]
    fn concurrent_writers_lose_nothing() {
        let dir = std::env::temp_dir().join(format!("portcullis-admin-store-{}", std::process::id()));
        let path = dir.join("gateway.db");
        let _ = std::fs::remove_file(&path);
        let store = std::sync::Arc::new(Store::open(&path).unwrap());
        let second = std::sync::Arc::new(Store::open(&path).unwrap());
        let threads: Vec<_> = (0..8)
            .map(|i| {
                let s = if i % 2 == 0 { store.clone() } else { second.clone() };
                std::thread::spawn(move || {
                    for _ in 0..25 {
                        s.admin_change("counter", |cur| {
                            let n: u64 = cur.as_deref().unwrap_or("0").parse().unwrap();
                            Ok::<_, ()>(AdminChange::Put((n + 1).to_string(), ()))
                        })
                        .unwrap()
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(store.admin_api("counter").unwrap().as_deref(), Some("200"));
        assert_eq!(second.admin_generation().unwrap(), 200);
        let _ = std::fs::remove_dir_all(dir);
    }
}
