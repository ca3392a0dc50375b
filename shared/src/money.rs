//! Amounts of money as Stripe counts them: integers in the currency's smallest unit.
//!
//! Most currencies have two decimals, but Stripe's zero-decimal currencies (JPY, KRW, …) count
//! whole units and its three-decimal ones (BHD, JOD, KWD, OMR, TND) count thousandths. Every
//! place that shows an amount (receipts, the web app, the admin console) formats it here.

/// Currencies Stripe charges in whole units (its "zero-decimal currencies").
const ZERO_DECIMAL: [&str; 16] = [
    "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv",
    "xaf", "xof", "xpf",
];

/// Currencies Stripe charges in thousandths.
const THREE_DECIMAL: [&str; 5] = ["bhd", "jod", "kwd", "omr", "tnd"];

/// How many decimals the currency's smallest unit has (lower- or upper-case ISO 4217 code).
pub fn decimals(currency: &str) -> u32 {
    let code = currency.to_ascii_lowercase();
    if ZERO_DECIMAL.contains(&code.as_str()) {
        0
    } else if THREE_DECIMAL.contains(&code.as_str()) {
        3
    } else {
        2
    }
}

fn symbol(code: &str) -> Option<&'static str> {
    Some(match code {
        "usd" => "$",
        "eur" => "€",
        "gbp" => "£",
        "jpy" | "cny" => "¥",
        "krw" => "₩",
        "inr" => "₹",
        _ => return None,
    })
}

/// `minor` units of `currency` for people: `$12.50`, `¥800`, `12.345 KWD`, `-€1.00`.
pub fn format(minor: i64, currency: &str) -> String {
    let code = currency.to_ascii_lowercase();
    let places = decimals(&code);
    let sign = if minor < 0 { "-" } else { "" };
    let magnitude = minor.unsigned_abs();
    let number = if places == 0 {
        magnitude.to_string()
    } else {
        let unit = 10u64.pow(places);
        format!(
            "{}.{:0width$}",
            magnitude / unit,
            magnitude % unit,
            width = places as usize
        )
    };
    match symbol(&code) {
        Some(symbol) => format!("{sign}{symbol}{number}"),
        None => format!("{sign}{number} {}", code.to_uppercase()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_currency_shows_its_own_decimals() {
        assert_eq!(format(2000, "usd"), "$20.00");
        assert_eq!(format(5, "eur"), "€0.05");
        assert_eq!(format(800, "jpy"), "¥800");
        assert_eq!(format(800, "JPY"), "¥800");
        assert_eq!(format(1500, "krw"), "₩1500");
        assert_eq!(format(12345, "kwd"), "12.345 KWD");
        assert_eq!(format(5, "bhd"), "0.005 BHD");
        assert_eq!(format(999, "chf"), "9.99 CHF");
        assert_eq!(format(-120, "usd"), "-$1.20");
        assert_eq!(format(i64::MIN, "xof"), "-9223372036854775808 XOF");
    }

    #[test]
    fn unknown_codes_have_two_decimals() {
        assert_eq!(decimals("zzz"), 2);
        assert_eq!(decimals("vnd"), 0);
        assert_eq!(decimals("tnd"), 3);
    }
}
