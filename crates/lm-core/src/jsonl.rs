//! Streaming JSON Lines: a reader that keeps each line's raw text, number and `type`, and
//! a writer that reports a closed downstream pipe as such.

use std::io::{BufRead, Write};

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::record::{Record, RecordType};

/// One input line that holds a record.
#[derive(Debug, Clone)]
pub struct Line {
    /// 1-based line number in its input.
    pub number: u64,
    /// The line's text, without its line terminator, exactly as read.
    pub text: String,
    /// The record's `type`.
    pub rtype: RecordType,
}

impl Line {
    /// Deserialises the line into a typed record payload (`FileRecord`, `Fact`...).
    pub fn parse<T: serde::de::DeserializeOwned>(&self, input: &str) -> Result<T> {
        serde_json::from_str(&self.text).map_err(|e| Error::Malformed {
            input: input.to_string(),
            line: self.number,
            reason: e.to_string(),
        })
    }
}

#[derive(Deserialize)]
struct Tag<'a> {
    #[serde(rename = "type", borrow)]
    rtype: std::borrow::Cow<'a, str>,
}

/// Reads records line by line. Blank lines are skipped. A line that is not a JSON object
/// with a string `type` is an error naming the input and the line number; with
/// `lenient`, such lines are skipped and counted instead.
pub struct RecordReader<R> {
    inner: R,
    name: String,
    number: u64,
    lenient: bool,
    skipped: u64,
    first_skipped: Option<(u64, String)>,
    buf: Vec<u8>,
}

impl<R: BufRead> RecordReader<R> {
    /// Wraps `inner`; `name` is used in error messages (`<stdin>` or a path).
    pub fn new(inner: R, name: impl Into<String>, lenient: bool) -> Self {
        RecordReader {
            inner,
            name: name.into(),
            number: 0,
            lenient,
            skipped: 0,
            first_skipped: None,
            buf: Vec::with_capacity(4096),
        }
    }

    /// The input's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// How many malformed lines were skipped (lenient mode).
    pub fn skipped(&self) -> u64 {
        self.skipped
    }

    /// The first skipped line's number and the reason, if any line was skipped.
    pub fn first_skipped(&self) -> Option<&(u64, String)> {
        self.first_skipped.as_ref()
    }

    /// Reads the next record line; `Ok(None)` at the end of the input.
    pub fn next_line(&mut self) -> Result<Option<Line>> {
        loop {
            self.buf.clear();
            let n = self
                .inner
                .read_until(b'\n', &mut self.buf)
                .map_err(|e| Error::io(format!("reading {}", self.name), e))?;
            if n == 0 {
                return Ok(None);
            }
            self.number += 1;
            let mut end = self.buf.len();
            while end > 0 && matches!(self.buf[end - 1], b'\n' | b'\r') {
                end -= 1;
            }
            let bytes = &self.buf[..end];
            if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            match classify(bytes) {
                Ok((text, rtype)) => {
                    return Ok(Some(Line {
                        number: self.number,
                        text,
                        rtype,
                    }))
                }
                Err(reason) => {
                    if self.lenient {
                        self.skipped += 1;
                        if self.first_skipped.is_none() {
                            self.first_skipped = Some((self.number, reason));
                        }
                        continue;
                    }
                    return Err(Error::Malformed {
                        input: self.name.clone(),
                        line: self.number,
                        reason,
                    });
                }
            }
        }
    }
}

fn classify(bytes: &[u8]) -> std::result::Result<(String, RecordType), String> {
    let text = std::str::from_utf8(bytes)
        .map_err(|e| format!("not valid UTF-8 (byte {})", e.valid_up_to() + 1))?;
    let tag: Tag<'_> = match serde_json::from_str(text) {
        Ok(t) => t,
        Err(e) => {
            return Err(if e.to_string().contains("missing field `type`") {
                "record has no `type` field".to_string()
            } else if text.trim_start().starts_with('{') {
                format!("invalid JSON: {e}")
            } else {
                "expected a JSON object".to_string()
            })
        }
    };
    let rtype = RecordType::from_tag(&tag.rtype);
    Ok((text.to_string(), rtype))
}

/// Writes records, one per line, through a buffer.
pub struct RecordWriter<W: Write> {
    inner: std::io::BufWriter<W>,
}

impl<W: Write> RecordWriter<W> {
    /// Wraps `inner` in a buffer.
    pub fn new(inner: W) -> Self {
        RecordWriter {
            inner: std::io::BufWriter::with_capacity(64 * 1024, inner),
        }
    }

    /// Writes an input line back unchanged.
    pub fn write_raw(&mut self, text: &str) -> Result<()> {
        self.inner
            .write_all(text.as_bytes())
            .and_then(|_| self.inner.write_all(b"\n"))
            .map_err(|e| Error::io("writing output", e))
    }

    /// Serialises and writes a record.
    pub fn write(&mut self, record: &Record) -> Result<()> {
        serde_json::to_writer(&mut self.inner, record).map_err(|e| {
            let kind = e.io_error_kind();
            Error::io(
                "writing output",
                match kind {
                    Some(kind) => std::io::Error::from(kind),
                    None => std::io::Error::other(format!("record could not be serialised: {e}")),
                },
            )
        })?;
        self.inner
            .write_all(b"\n")
            .map_err(|e| Error::io("writing output", e))
    }

    /// Flushes the buffer.
    pub fn flush(&mut self) -> Result<()> {
        self.inner
            .flush()
            .map_err(|e| Error::io("writing output", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(input: &str, lenient: bool) -> (Vec<Line>, Result<()>, u64) {
        let mut r = RecordReader::new(input.as_bytes(), "<test>", lenient);
        let mut out = Vec::new();
        loop {
            match r.next_line() {
                Ok(Some(l)) => out.push(l),
                Ok(None) => return (out, Ok(()), r.skipped()),
                Err(e) => return (out, Err(e), r.skipped()),
            }
        }
    }

    #[test]
    fn keeps_raw_text_and_types() {
        let (lines, res, _) = read_all(
            "{\"type\":\"file\",\"path\":\"a\"}\n\n{\"type\":\"x-custom\", \"k\" : 1}\r\n",
            false,
        );
        res.unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].rtype, RecordType::File);
        assert_eq!(lines[1].text, "{\"type\":\"x-custom\", \"k\" : 1}");
        assert_eq!(lines[1].rtype, RecordType::Other("x-custom".into()));
        assert_eq!(lines[1].number, 3);
    }

    #[test]
    fn malformed_line_names_the_line() {
        let (_, res, _) = read_all("{\"type\":\"file\"}\n{oops\n", false);
        let msg = res.unwrap_err().to_string();
        assert!(msg.starts_with("<test>:2: malformed record"), "{msg}");
    }

    #[test]
    fn missing_type_and_non_objects_are_malformed() {
        let (_, res, _) = read_all("{\"path\":\"a\"}\n", false);
        assert!(res.unwrap_err().to_string().contains("no `type`"));
        let (_, res, _) = read_all("[1,2]\n", false);
        assert!(res
            .unwrap_err()
            .to_string()
            .contains("expected a JSON object"));
    }

    #[test]
    fn lenient_skips_and_counts() {
        let (lines, res, skipped) = read_all(
            "nope\n{\"type\":\"file\"}\n\u{0}\u{1}\n{\"type\":\"finding\"}\n",
            true,
        );
        res.unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(skipped, 2);
    }

    #[test]
    fn invalid_utf8_is_malformed_not_a_panic() {
        let mut r = RecordReader::new(&b"{\"type\":\"file\",\"p\":\"\xff\"}\n"[..], "in", false);
        assert!(r.next_line().unwrap_err().to_string().contains("UTF-8"));
    }
}
