//! Paths into a scenario's TOML tree, such as `content.quality` or
//! `channel[0].daily`, and the messages that say what exists where a path
//! goes wrong.
//!
//! A sweep varies scenario fields by path. Paths are resolved against the
//! base scenario *with every default filled in*, so a field left at its
//! default in the base file can still be swept, and any field the scenario
//! format gains later can be swept without changes here.

use std::fmt;

/// One step of a path: a field of a table, or an entry of a list of tables.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A parsed path: `key(.key | [index])*`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldPath {
    text: String,
    steps: Vec<Step>,
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl FieldPath {
    /// Parses `content.quality`, `channel[0].daily`, `leave.friends.rate`.
    /// Keys are letters, digits, `_` and `-`; an index is a whole number in
    /// brackets right after a key.
    pub fn parse(text: &str) -> Result<FieldPath, String> {
        let bad = |why: &str| {
            Err(format!(
                "path `{text}` {why}; write fields separated by dots and list entries as [index], e.g. `content.quality` or `channel[0].daily`"
            ))
        };
        if text.is_empty() {
            return bad("is empty");
        }
        let mut steps = Vec::new();
        for part in text.split('.') {
            let (key, mut rest) = match part.find('[') {
                Some(i) => (&part[..i], &part[i..]),
                None => (part, ""),
            };
            if key.is_empty() {
                return bad("has an empty field name");
            }
            if !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
            {
                return bad(&format!("has a field name `{key}` with other characters than letters, digits, `_` and `-`"));
            }
            steps.push(Step::Key(key.to_string()));
            while !rest.is_empty() {
                let Some(close) = rest.find(']') else {
                    return bad("has a `[` without `]`");
                };
                let Ok(index) = rest[1..close].parse::<usize>() else {
                    return bad(&format!(
                        "has `{}`, which is not a list index",
                        &rest[..=close]
                    ));
                };
                steps.push(Step::Index(index));
                rest = &rest[close + 1..];
                if !rest.is_empty() && !rest.starts_with('[') {
                    return bad(&format!("has `{rest}` after an index"));
                }
            }
        }
        Ok(FieldPath {
            text: text.to_string(),
            steps,
        })
    }

    /// The path as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the path is a single top-level field named `name`.
    pub fn is_top_level(&self, name: &str) -> bool {
        self.steps == [Step::Key(name.to_string())]
    }

    /// The value the path points to in `root`, or a message naming the part
    /// of the path that does not exist and what exists there instead.
    pub fn get<'a>(&self, root: &'a toml::Value) -> Result<&'a toml::Value, String> {
        let mut here = root;
        for (i, step) in self.steps.iter().enumerate() {
            here = self.step(here, i, step)?;
        }
        Ok(here)
    }

    /// Replaces the value the path points to (which must exist, see
    /// [`FieldPath::get`]).
    pub fn set(&self, root: &mut toml::Value, value: toml::Value) -> Result<(), String> {
        self.get(root)?;
        let mut here = root;
        for step in &self.steps {
            here = match (step, here) {
                (Step::Key(k), toml::Value::Table(t)) => t.get_mut(k).expect("checked by get"),
                (Step::Index(i), toml::Value::Array(a)) => &mut a[*i],
                _ => unreachable!("checked by get"),
            };
        }
        *here = value;
        Ok(())
    }

    /// The path up to (not including) step `i`, as written.
    fn prefix(&self, i: usize) -> String {
        let mut out = String::new();
        for step in &self.steps[..i] {
            match step {
                Step::Key(k) if out.is_empty() => out.push_str(k),
                Step::Key(k) => {
                    out.push('.');
                    out.push_str(k);
                }
                Step::Index(n) => out.push_str(&format!("[{n}]")),
            }
        }
        out
    }

    fn step<'a>(
        &self,
        here: &'a toml::Value,
        i: usize,
        step: &Step,
    ) -> Result<&'a toml::Value, String> {
        let at = self.prefix(i);
        let where_ = if at.is_empty() {
            "the scenario".to_string()
        } else {
            format!("`{at}`")
        };
        match (step, here) {
            (Step::Key(k), toml::Value::Table(t)) => t.get(k).ok_or_else(|| {
                let keys: Vec<&str> = t.keys().map(String::as_str).collect();
                format!(
                    "path `{self}` does not exist: {where_} has no field `{k}`; {}",
                    if keys.is_empty() {
                        format!("{where_} has no fields")
                    } else {
                        format!("its fields are {}", keys.join(", "))
                    }
                )
            }),
            (Step::Index(n), toml::Value::Array(a)) => a.get(*n).ok_or_else(|| {
                format!(
                    "path `{self}` does not exist: {where_} has {}; to sweep a field of a list entry, the base scenario must have that entry",
                    match a.len() {
                        0 => "no entries".to_string(),
                        1 => format!("1 entry, {at}[0]"),
                        n => format!("{n} entries, {at}[0] to {at}[{}]", n - 1),
                    }
                )
            }),
            (Step::Index(n), toml::Value::Table(_)) => Err(format!(
                "path `{self}` does not exist: {where_} is a table, not a list, so it has no entry [{n}]"
            )),
            (Step::Key(k), toml::Value::Array(a)) => Err(format!(
                "path `{self}` does not exist: {where_} is a list of {} entries; name one by its index, e.g. `{at}[0].{k}`",
                a.len()
            )),
            (step, value) => Err(format!(
                "path `{self}` does not exist: {where_} is {} ({}), which has no {}",
                kind_name(value),
                inline(value),
                match step {
                    Step::Key(k) => format!("field `{k}`"),
                    Step::Index(n) => format!("entry [{n}]"),
                }
            )),
        }
    }
}

/// How a TOML value's kind is named in messages.
pub fn kind_name(value: &toml::Value) -> &'static str {
    match value {
        toml::Value::Integer(_) => "a whole number",
        toml::Value::Float(_) => "a number",
        toml::Value::String(_) => "text",
        toml::Value::Boolean(_) => "true or false",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "a list",
        toml::Value::Table(_) => "a table",
    }
}

/// A value as one line of TOML that reads back as the same value and type
/// (`0.5`, `5.0`, `12`, `"contagion"`, `{ start = 1 }`).
pub fn inline(value: &toml::Value) -> String {
    match value {
        // Display of a float gives the shortest text that reads back as the
        // same number, and never uses exponent notation; a whole number
        // keeps a decimal point so that it stays a float.
        toml::Value::Float(f) if f.is_finite() => {
            let s = format!("{f}");
            if s.contains('.') {
                s
            } else {
                s + ".0"
            }
        }
        toml::Value::Float(f) if f.is_nan() => "nan".into(),
        toml::Value::Float(f) if *f > 0.0 => "inf".into(),
        toml::Value::Float(_) => "-inf".into(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::String(s) => format!("{s:?}"),
        toml::Value::Boolean(b) => b.to_string(),
        toml::Value::Datetime(d) => d.to_string(),
        toml::Value::Array(a) => {
            format!("[{}]", a.iter().map(inline).collect::<Vec<_>>().join(", "))
        }
        toml::Value::Table(t) if t.is_empty() => "{}".into(),
        toml::Value::Table(t) => format!(
            "{{ {} }}",
            t.iter()
                .map(|(k, v)| format!("{} = {}", key(k), inline(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// A table key as TOML: bare when it can be, quoted otherwise.
fn key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        format!("{k:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree() -> toml::Value {
        toml::Value::Table(
            toml::from_str(
                "days = 30\n[content]\nquality = 0.7\nenabled = true\n[[channel]]\nname = \"poster\"\ndaily = 5.0\n",
            )
            .unwrap(),
        )
    }

    #[test]
    fn parses_keys_and_indices() {
        let p = FieldPath::parse("channel[0].daily").unwrap();
        assert_eq!(
            p.steps,
            vec![
                Step::Key("channel".into()),
                Step::Index(0),
                Step::Key("daily".into())
            ]
        );
        for bad in ["", "a..b", "a[x]", "a[1", "a[1]b", "a b", ".a"] {
            assert!(FieldPath::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn gets_and_sets_values() {
        let mut t = tree();
        let p = FieldPath::parse("channel[0].daily").unwrap();
        assert_eq!(p.get(&t).unwrap(), &toml::Value::Float(5.0));
        p.set(&mut t, toml::Value::Float(9.0)).unwrap();
        assert_eq!(p.get(&t).unwrap(), &toml::Value::Float(9.0));
    }

    #[test]
    fn missing_key_lists_the_fields_that_exist() {
        let e = FieldPath::parse("content.qualty")
            .unwrap()
            .get(&tree())
            .unwrap_err();
        assert!(
            e.contains("`content.qualty`")
                && e.contains("`content` has no field `qualty`")
                && e.contains("enabled, quality"),
            "{e}"
        );
        let e = FieldPath::parse("contnt")
            .unwrap()
            .get(&tree())
            .unwrap_err();
        assert!(e.contains("the scenario has no field `contnt`"), "{e}");
        assert!(e.contains("channel, content, days"), "{e}");
    }

    #[test]
    fn bad_index_and_wrong_shape_say_what_is_there() {
        let t = tree();
        let e = FieldPath::parse("channel[2].daily")
            .unwrap()
            .get(&t)
            .unwrap_err();
        assert!(e.contains("1 entry, channel[0]"), "{e}");
        let e = FieldPath::parse("channel.daily")
            .unwrap()
            .get(&t)
            .unwrap_err();
        assert!(e.contains("`channel[0].daily`"), "{e}");
        let e = FieldPath::parse("content[0]").unwrap().get(&t).unwrap_err();
        assert!(e.contains("is a table, not a list"), "{e}");
        let e = FieldPath::parse("days.x").unwrap().get(&t).unwrap_err();
        assert!(e.contains("`days` is a whole number (30)"), "{e}");
    }
}
