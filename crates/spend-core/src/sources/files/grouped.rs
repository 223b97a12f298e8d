//! Rows that belong together (an order's items, a purchase's songs) made
//! into one record each, in the order first seen, each remembering the
//! lines of its rows so it can be read again from the kept file.

use std::collections::HashMap;

/// Records by id, built up row by row.
pub(crate) struct Grouped<T> {
    records: Vec<T>,
    lines: Vec<Vec<u64>>,
    index: HashMap<String, usize>,
}

impl<T> Grouped<T> {
    pub fn new() -> Self {
        Grouped {
            records: Vec::new(),
            lines: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// The record `id`, made by `make` the first time; `line` is added to its lines.
    pub fn entry(&mut self, id: &str, line: u64, make: impl FnOnce() -> T) -> &mut T {
        let at = match self.index.get(id) {
            Some(at) => *at,
            None => {
                self.records.push(make());
                self.lines.push(Vec::new());
                self.index.insert(id.to_owned(), self.records.len() - 1);
                self.records.len() - 1
            }
        };
        self.lines[at].push(line);
        &mut self.records[at]
    }

    /// The records, each given `{"file": file, "lines": [...]}` by `raw`.
    pub fn finish(self, file: &str, mut raw: impl FnMut(&mut T, serde_json::Value)) -> Vec<T> {
        let mut records = self.records;
        for (record, lines) in records.iter_mut().zip(self.lines) {
            raw(record, serde_json::json!({ "file": file, "lines": lines }));
        }
        records
    }
}
