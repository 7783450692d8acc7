//! Durations (`500ms`, `5s`, `2m`, `0.5`) and sizes (`512M`, `2GiB`, bytes),
//! read from options and shown in messages.

use std::time::Duration;

/// `500ms`, `5s`, `2m`, `1h`, or plain seconds (`5`, `0.5`).
pub fn parse_duration(text: &str) -> Option<Duration> {
    // Nanoseconds per unit, and how many of its decimals reach a nanosecond.
    let (number, per_unit, decimals) = if let Some(n) = text.strip_suffix("ms") {
        (n, 1, 6)
    } else if let Some(n) = text.strip_suffix('s') {
        (n, 1, 9)
    } else if let Some(n) = text.strip_suffix('m') {
        (n, 60, 9)
    } else if let Some(n) = text.strip_suffix('h') {
        (n, 3600, 9)
    } else {
        (text, 1, 9)
    };
    let nanos = parse_fixed(number, decimals)?.checked_mul(per_unit)?;
    let secs = u64::try_from(nanos / 1_000_000_000).ok()?;
    Some(Duration::new(secs, (nanos % 1_000_000_000) as u32))
}

/// Bytes, or a binary K/M/G/T suffix with an optional `B` or `iB`, any case
/// (`512M`, `2g`, `64KiB`, `1048576`), as Docker's `--memory` reads it.
pub fn parse_size(text: &str) -> Option<u64> {
    let lower = text.to_ascii_lowercase();
    let trimmed = lower
        .strip_suffix("ib")
        .or_else(|| lower.strip_suffix('b'))
        .unwrap_or(&lower);
    let (number, shift) = match trimmed.char_indices().last() {
        Some((i, 'k')) => (&trimmed[..i], 10),
        Some((i, 'm')) => (&trimmed[..i], 20),
        Some((i, 'g')) => (&trimmed[..i], 30),
        Some((i, 't')) => (&trimmed[..i], 40),
        _ if trimmed.len() != lower.len() && lower.ends_with("ib") => return None,
        _ => (trimmed, 0),
    };
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    number.parse::<u64>().ok()?.checked_mul(1u64 << shift)
}

/// A plain decimal (`12`, `0.5`, `.25`; no sign, exponent, `inf` or
/// `nan`) times 10^`decimals`, in integers: pidone never needs float
/// parsing, and leaving it out keeps the static binary smaller. Digits past
/// `decimals` are dropped.
pub fn parse_fixed(text: &str, decimals: u32) -> Option<u128> {
    let (whole, fraction) = text.split_once('.').unwrap_or((text, ""));
    let digits = |part: &str| part.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    let mut value: u128 = 0;
    for b in whole.bytes() {
        value = value.checked_mul(10)?.checked_add(u128::from(b - b'0'))?;
    }
    let mut kept = fraction
        .bytes()
        .chain(std::iter::repeat(b'0'))
        .take(decimals as usize);
    kept.try_fold(value, |v, b| {
        v.checked_mul(10)?.checked_add(u128::from(b - b'0'))
    })
}

/// `numerator / denominator` with one decimal, rounded: `1.5`.
pub fn one_decimal(numerator: u64, denominator: u64) -> String {
    let den = u128::from(denominator.max(1));
    let tenths = (u128::from(numerator) * 10 + den / 2) / den;
    format!("{}.{}", tenths / 10, tenths % 10)
}

/// `1.5s`, `250ms`: how a duration reads in pidone's messages.
pub fn show_duration(d: Duration) -> String {
    if d.as_millis() < 1000 {
        format!("{}ms", d.as_millis())
    } else {
        let ms = u64::try_from(d.as_millis()).unwrap_or(u64::MAX);
        format!("{}s", one_decimal(ms, 1000))
    }
}

/// `32 MiB`, `1.5 GiB`, `1000 bytes`.
pub fn show_size(bytes: u64) -> String {
    const UNITS: [(&str, u32); 4] = [("TiB", 40), ("GiB", 30), ("MiB", 20), ("KiB", 10)];
    for (unit, shift) in UNITS {
        let one = 1u64 << shift;
        if bytes >= one {
            return if bytes % one == 0 {
                format!("{} {unit}", bytes >> shift)
            } else {
                format!("{} {unit}", one_decimal(bytes, one))
            };
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("500ms"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("5s"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("5"), Some(Duration::from_secs(5)));
        assert_eq!(parse_duration("0.5"), Some(Duration::from_millis(500)));
        assert_eq!(parse_duration("0"), Some(Duration::ZERO));
        for bad in [
            "", "s", "-1", "1e3", "inf", "nan", "5x", "1.2.3", "ms", " 5",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Some(4096));
        assert_eq!(parse_size("32M"), Some(32 << 20));
        assert_eq!(parse_size("32m"), Some(32 << 20));
        assert_eq!(parse_size("2G"), Some(2 << 30));
        assert_eq!(parse_size("64KiB"), Some(64 << 10));
        assert_eq!(parse_size("64kb"), Some(64 << 10));
        assert_eq!(parse_size("1T"), Some(1 << 40));
        assert_eq!(parse_size("100b"), Some(100));
        for bad in [
            "",
            "M",
            "-1M",
            "1.5G",
            "12X",
            "ib",
            "99999999999999999999",
            "20000000T",
        ] {
            assert_eq!(parse_size(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn shows_sizes() {
        assert_eq!(show_size(32 << 20), "32 MiB");
        assert_eq!(show_size(3 << 29), "1.5 GiB");
        assert_eq!(show_size(2 << 40), "2 TiB");
        assert_eq!(show_size(4096), "4 KiB");
        assert_eq!(show_size(1000), "1000 bytes");
    }

    #[test]
    fn shows() {
        assert_eq!(show_duration(Duration::from_millis(250)), "250ms");
        assert_eq!(show_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(show_duration(Duration::from_millis(1049)), "1.0s");
        assert_eq!(show_duration(Duration::from_secs(60)), "60.0s");
        assert_eq!(one_decimal(3 << 29, 1 << 30), "1.5");
        assert_eq!(parse_fixed("1.5", 5), Some(150_000));
        assert_eq!(parse_fixed("0.123456", 5), Some(12_345));
        assert_eq!(parse_fixed("7", 0), Some(7));
    }
}
