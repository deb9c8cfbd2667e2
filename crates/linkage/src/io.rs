//! CSV in and out, over generic readers and writers (the crate opens no file).

use crate::{
    Comparison, Config, Dedupe, Field, HometownCodes, Record, Summary, compare::Prepared, gamma,
};
use rayon::prelude::*;
use std::io::{Read, Write};

/// Errors of the CSV entry points.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("CSV: {0}")]
    Csv(#[from] csv::Error),
    #[error("I/O: {0}")]
    Io(#[from] std::io::Error),
    #[error("the input has no header row")]
    NoHeader,
    #[error("threshold must be between 0 and 1, got {0}")]
    Threshold(f64),
}

const COLUMNS: [&str; 15] = [
    "record_id",
    "source",
    "full_name",
    "gender",
    "birth_date",
    "country",
    "city_abroad",
    "hometown",
    "passport_no",
    "phone",
    "email",
    "father_name",
    "category",
    "hometown_legacy_code",
    "hometown_code",
];

/// Reads a CSV row by row into records.
struct RowReader<R: Read> {
    rdr: csv::Reader<R>,
    index: Vec<Option<usize>>,
    row: csv::StringRecord,
    n: usize,
}

impl<R: Read> RowReader<R> {
    fn new(reader: R) -> Result<Self, Error> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .has_headers(true)
            .from_reader(reader);
        let headers = rdr.headers()?.clone();
        if headers.is_empty() {
            return Err(Error::NoHeader);
        }
        let index = COLUMNS
            .iter()
            .map(|c| {
                headers.iter().position(|h| {
                    h.trim()
                        .trim_start_matches('\u{feff}')
                        .eq_ignore_ascii_case(c)
                })
            })
            .collect();
        Ok(Self {
            rdr,
            index,
            row: csv::StringRecord::new(),
            n: 0,
        })
    }

    fn next_record(&mut self) -> Result<Option<Record>, Error> {
        if !self.rdr.read_record(&mut self.row)? {
            return Ok(None);
        }
        self.n += 1;
        let get = |k: usize| -> String {
            self.index[k]
                .and_then(|i| self.row.get(i))
                .map(|s| s.trim().to_owned())
                .unwrap_or_default()
        };
        let mut record_id = get(0);
        if record_id.is_empty() {
            record_id = self.n.to_string();
        }
        let (legacy, current) = (get(13), get(14));
        Ok(Some(Record {
            record_id,
            source: get(1),
            full_name: get(2),
            gender: get(3),
            birth_date: get(4),
            country: get(5),
            city_abroad: get(6),
            hometown: get(7),
            passport_no: get(8),
            phone: get(9),
            email: get(10),
            father_name: get(11),
            category: get(12),
            hometown_codes: (!legacy.is_empty() || !current.is_empty())
                .then_some(HometownCodes { legacy, current }),
        }))
    }
}

/// Reads records from a CSV with a header row. Columns are found by name (case and
/// surrounding spaces ignored); a missing column reads as empty, extra columns are
/// ignored. A row without a `record_id` gets its 1-based row number.
pub fn read_csv<R: Read>(reader: R) -> Result<Vec<Record>, Error> {
    let mut rows = RowReader::new(reader)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next_record()? {
        out.push(r);
    }
    Ok(out)
}

/// Reads and prepares records batch by batch, keeping only their ids beside the
/// prepared form: the raw strings of a million rows never sit in memory at once.
fn read_prepared<R: Read>(reader: R) -> Result<(Vec<String>, Vec<Prepared>), Error> {
    const BATCH: usize = 20_000;
    let mut rows = RowReader::new(reader)?;
    let (mut ids, mut prepared) = (Vec::new(), Vec::new());
    let mut batch = Vec::with_capacity(BATCH);
    let mut hometowns = crate::HometownResolver::default();
    loop {
        let next = rows.next_record()?;
        let done = next.is_none();
        batch.extend(next);
        if batch.len() == BATCH || (done && !batch.is_empty()) {
            hometowns.resolve(&mut batch);
            prepared.par_extend(batch.par_iter().map(Prepared::new));
            ids.extend(batch.drain(..).map(|r| r.record_id));
        }
        if done {
            return Ok((ids, prepared));
        }
    }
}

/// Writes `record_id,cluster_id` for every record, in input order.
pub fn write_clusters_csv<W: Write>(
    writer: W,
    records: &[Record],
    dedupe: &Dedupe,
) -> Result<(), Error> {
    write_clusters(writer, records.iter().map(|r| r.record_id.as_str()), dedupe)
}

fn write_clusters<'a, W: Write>(
    writer: W,
    ids: impl Iterator<Item = &'a str>,
    dedupe: &Dedupe,
) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(writer);
    w.write_record(["record_id", "cluster_id"])?;
    for (id, c) in ids.zip(&dedupe.cluster_ids) {
        w.write_record([id, c.to_string().as_str()])?;
    }
    w.flush()?;
    Ok(())
}

/// Writes the explanation of every kept pair: ids, probability, weight, whether
/// they ended in one cluster, then per field its level and weight in bits.
pub fn write_explain_csv<W: Write>(
    writer: W,
    records: &[Record],
    dedupe: &Dedupe,
) -> Result<(), Error> {
    write_explain(
        writer,
        |i| records[i].record_id.as_str(),
        |i| Prepared::new(&records[i]),
        dedupe,
    )
}

fn write_explain<'a, W: Write>(
    writer: W,
    id: impl Fn(usize) -> &'a str,
    prepared: impl Fn(usize) -> Prepared,
    dedupe: &Dedupe,
) -> Result<(), Error> {
    let mut w = csv::Writer::from_writer(writer);
    let mut header = vec![
        "record_id_a".to_owned(),
        "record_id_b".to_owned(),
        "match_probability".to_owned(),
        "match_weight".to_owned(),
        "same_cluster".to_owned(),
    ];
    for f in Field::ALL {
        header.push(f.code().to_owned());
        header.push(format!("{}_bits", f.code()));
    }
    w.write_record(&header)?;
    for p in &dedupe.pairs {
        let (first, second) = (p.a as usize, p.b as usize);
        let g = gamma(&prepared(first), &prepared(second));
        let c = Comparison::from_gamma(&g, &dedupe.model);
        let same = dedupe.cluster_ids[p.a as usize] == dedupe.cluster_ids[p.b as usize];
        let mut row = vec![
            id(first).to_owned(),
            id(second).to_owned(),
            format!("{:.6}", c.probability),
            format!("{:.3}", c.weight),
            same.to_string(),
        ];
        for f in &c.fields {
            row.push(f.level.to_owned());
            row.push(format!("{:.3}", f.weight));
        }
        w.write_record(&row)?;
    }
    w.flush()?;
    Ok(())
}

/// The whole `kieubao dedupe` command: reads the CSV, clusters, writes
/// `record_id,cluster_id` and, when asked, the explained pairs.
pub fn run_dedupe(
    input: impl Read,
    out: impl Write,
    explain: Option<impl Write>,
    threshold: Option<f64>,
) -> Result<Summary, Error> {
    let config = Config::with_threshold(threshold)?;
    let (ids, prepared) = read_prepared(input)?;
    let result = crate::dedupe_prepared(&prepared, &config);
    write_clusters(out, ids.iter().map(String::as_str), &result)?;
    if let Some(e) = explain {
        write_explain(e, |i| ids[i].as_str(), |i| prepared[i].clone(), &result)?;
    }
    Ok(result.summary)
}
