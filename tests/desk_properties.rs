//! Properties of the lead's desk helpers: the CSV matrix and HTML escaping, for any text.

use phasegate::domain::packet::csv_row;
use phasegate::domain::packet_html::escape;
use phasegate::domain::queue::age;
use proptest::prelude::*;

proptest! {
    /// Any fields — commas, quotes, CR/LF, unicode — come back exactly through the csv crate.
    #[test]
    fn csv_rows_round_trip(fields in proptest::collection::vec(".*", 2..8)) {
        let text = csv_row(&fields);
        let mut reader = csv::ReaderBuilder::new().has_headers(false).from_reader(text.as_bytes());
        let records: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("record")).collect();
        prop_assert_eq!(records.len(), 1);
        let back: Vec<String> = records[0].iter().map(str::to_string).collect();
        prop_assert_eq!(back, fields);
    }

    /// Escaped text holds no markup character and unescapes to the original.
    #[test]
    fn escaped_text_is_inert(text in ".*") {
        let e = escape(&text);
        prop_assert!(!e.contains(['<', '>', '"', '\'']));
        let back = e
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&");
        prop_assert_eq!(back, text);
    }

    /// An age is never negative and names days once past a day.
    #[test]
    fn ages_read_at_a_glance(secs in -1_000_000i64..100_000_000) {
        let a = age(secs);
        prop_assert!(!a.starts_with('-'));
        prop_assert_eq!(a.contains('d'), secs >= 86_400);
    }
}
