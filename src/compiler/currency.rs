//! ISO 4217: a published currency must be a real one with its own number
//! of decimals, or every amount in the plan is off by a power of ten.

use crate::error::Error;
use crate::plan::Currency;

/// Active ISO 4217 codes whose minor unit is not 2 decimals.
const NOT_TWO: &[(&str, u32)] = &[
    ("BHD", 3),
    ("BIF", 0),
    ("CLF", 4),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("UYI", 0),
    ("UYW", 4),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

/// Active ISO 4217 codes with 2 decimals.
const TWO: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL \
    BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN \
    ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR \
    KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN \
    NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP \
    SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED \
    VES WST XCD XCG YER ZAR ZMW ZWG ZWL";

/// The decimals ISO 4217 gives `code`, if it is an active currency.
fn decimals(code: &str) -> Option<u32> {
    NOT_TWO
        .iter()
        .find(|(c, _)| *c == code)
        .map(|(_, d)| *d)
        .or_else(|| TWO.split_whitespace().any(|c| c == code).then_some(2))
}

/// Refuses a code that is not an active ISO 4217 currency, and an
/// exponent other than its decimals (JPY has 0, KWD 3).
pub fn check(currency: &Currency) -> Result<(), Error> {
    let Some(expected) = decimals(&currency.code) else {
        return Err(Error::snapshot_invalid(
            "currency.code",
            format!("{:?} is not an ISO 4217 currency code", currency.code),
        ));
    };
    if currency.exponent != expected {
        return Err(Error::snapshot_invalid(
            "currency.exponent",
            format!(
                "{} has {expected} decimals in ISO 4217, not {}",
                currency.code, currency.exponent
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn currency(code: &str, exponent: u32) -> Currency {
        Currency {
            code: code.into(),
            exponent,
        }
    }

    #[test]
    fn real_currencies_with_their_decimals_pass() {
        for (code, exp) in [("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3), ("CLF", 4)] {
            assert!(check(&currency(code, exp)).is_ok(), "{code}");
        }
    }

    #[test]
    fn unknown_codes_and_wrong_decimals_name_the_field() {
        let e = check(&currency("ZZZ", 2)).unwrap_err();
        assert_eq!(e.code(), "SNAPSHOT_INVALID");
        assert!(format!("{e:?}").contains("currency.code"));
        let e = check(&currency("JPY", 2)).unwrap_err();
        assert!(format!("{e:?}").contains("currency.exponent"));
        assert!(check(&currency("usd", 2)).is_err(), "codes are upper case");
    }
}
