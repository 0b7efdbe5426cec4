//! Numbers and tables as a person reads them, the one place every command
//! formats counts, byte sizes, durations and aligned columns.

/// A count or rate as a person reads it: thousands separated by commas, and
/// decimals only while they matter (`68,880`, `318`, `12.5`, `0.25`).
pub fn count(value: f64) -> String {
    if !value.is_finite() {
        return "-".to_owned();
    }
    let decimals = match value.abs() {
        v if v >= 100.0 || v == v.trunc() => 0,
        v if v >= 10.0 => 1,
        _ => 2,
    };
    format!("{:.*}", decimals, indicatif::HumanFloatCount(value))
}

/// Bytes in B, kB, MB, GB, TB, PB, EB (powers of 1000).
pub fn bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["kB", "MB", "GB", "TB", "PB", "EB"];
    if n < 1000 {
        return format!("{n} B");
    }
    let mut value = n as f64 / 1000.0;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.1} {}", UNITS[unit])
}

/// [`bytes`] of a size that may have passed `u64` (`None`): `over 18.4 EB`.
pub fn size(bytes_or_overflow: Option<u64>) -> String {
    match bytes_or_overflow {
        Some(n) => bytes(n),
        None => format!("over {}", bytes(u64::MAX)),
    }
}

/// A duration in the two largest units that matter (`42 s`, `14 min 50 s`,
/// `3 h 5 min`, `2 d 4 h`), in years past a year.
pub fn duration(seconds: f64) -> String {
    const YEAR_S: f64 = 365.25 * 86_400.0;
    if !seconds.is_finite() {
        return "-".to_owned();
    }
    if seconds >= YEAR_S {
        return format!("{} years", count((seconds / YEAR_S).round()));
    }
    let whole = seconds.round() as u64;
    let (d, h, m, s) = (
        whole / 86_400,
        whole / 3_600 % 24,
        whole / 60 % 60,
        whole % 60,
    );
    match (d, h, m) {
        (0, 0, 0) if seconds < 10.0 => format!("{} s", count(seconds)),
        (0, 0, 0) => format!("{s} s"),
        (0, 0, _) => format!("{m} min {s} s"),
        (0, _, _) => format!("{h} h {m} min"),
        _ => format!("{d} d {h} h"),
    }
}

/// How a column's cells line up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    /// Text: padded on the right.
    Left,
    /// Numbers: padded on the left.
    Right,
}

/// `header` then `rows` as aligned columns two spaces apart, one line each:
/// every column as wide as its widest cell (in characters), but the last
/// never padded (it may be long: a path, an error) and no line ending in
/// spaces.
pub fn columns<const N: usize>(
    header: [&str; N],
    align: [Align; N],
    rows: &[[String; N]],
) -> String {
    let header = header.map(str::to_owned);
    let lines = || std::iter::once(&header).chain(rows);
    let mut widths = [0; N];
    for row in lines() {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in lines() {
        let mut line = String::new();
        for (col, cell) in row.iter().enumerate() {
            if col > 0 {
                line.push_str("  ");
            }
            let width = if col + 1 == N { 0 } else { widths[col] };
            match align[col] {
                Align::Left => line.push_str(&format!("{cell:<width$}")),
                Align::Right => line.push_str(&format!("{cell:>width$}")),
            }
        }
        text.push_str(line.trim_end());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_and_rates_are_grouped_by_thousands_with_only_the_decimals_that_matter() {
        assert_eq!(count(68_880.0), "68,880");
        assert_eq!(count(2_289.751_196_412_800_7), "2,290");
        assert_eq!(count(318.4), "318");
        assert_eq!(count(12.46), "12.5");
        assert_eq!(count(0.25), "0.25");
        assert_eq!(count(1_000_000.0), "1,000,000");
        assert_eq!(count(f64::NAN), "-");
    }

    #[test]
    fn byte_counts_use_decimal_units_up_to_exabytes() {
        assert_eq!(bytes(999), "999 B");
        assert_eq!(bytes(1_500), "1.5 kB");
        assert_eq!(bytes(524_288_000), "524.3 MB");
        assert_eq!(bytes(1_000_000_000_000_000), "1.0 PB");
        assert_eq!(bytes(u64::MAX), "18.4 EB");
        assert_eq!(size(None), "over 18.4 EB");
    }

    #[test]
    fn durations_show_their_two_largest_units() {
        assert_eq!(duration(0.5), "0.5 s");
        assert_eq!(duration(42.0), "42 s");
        assert_eq!(duration(890.0), "14 min 50 s");
        assert_eq!(duration(11_100.0), "3 h 5 min");
        assert_eq!(duration(187_200.0), "2 d 4 h");
        assert_eq!(duration(4.5e11), "14,260 years");
    }

    #[test]
    fn columns_are_as_wide_as_their_widest_cell_but_the_last() {
        let rows = [
            ["m1".to_owned(), "12.5".to_owned(), "runs/m1.h5".to_owned()],
            ["session-two".to_owned(), "3.0".to_owned(), String::new()],
        ];
        assert_eq!(
            columns(
                ["session", "wall_s", "output"],
                [Align::Left, Align::Right, Align::Left],
                &rows
            ),
            "session      wall_s  output\n\
             m1             12.5  runs/m1.h5\n\
             session-two     3.0\n"
        );
    }
}
