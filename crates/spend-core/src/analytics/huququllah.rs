//! Huqúqu'lláh: 19% of the increase in the value of one's possessions, in
//! whole units of 19 mithqáls of gold, with exact minor-unit arithmetic.

use serde::Serialize;

use super::AnalyticsError;

/// Nineteen mithqáls of gold, in hundredths of a gram (69.19 g).
pub const UNIT_CENTIGRAMS: i128 = 6_919;

/// What the calculation needs that the transactions do not hold. Every
/// amount is in minor units of the report's currency.
///
/// ```
/// use spend_core::analytics::{HuquqInputs, huququllah};
/// // 36,000.00 income, 24,000.00 necessary expenses, gold at 105.00 a gram.
/// let inputs = HuquqInputs { gold_price_per_gram: 10_500, ..Default::default() };
/// let c = huququllah(3_600_000, 2_400_000, &inputs)?;
/// assert_eq!(c.unit_value, 726_495);            // 69.19 g x 105.00 = 7,264.95
/// assert_eq!(c.units, 1);                        // 12,000.00 holds one whole unit
/// assert_eq!(c.due, 138_034);                    // 19% of 7,264.95 = 1,380.3405 -> 1,380.34
/// assert_eq!(c.carried_forward, 1_200_000 - 726_495);
/// # Ok::<(), spend_core::analytics::AnalyticsError>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct HuquqInputs {
    /// The price of gold per gram (minor units); must be positive.
    pub gold_price_per_gram: i64,
    /// Exempt purchases in the period: one's residence, needed household furnishings.
    pub exempt: i64,
    /// Payments of Huqúqu'lláh already made for this period.
    pub paid: i64,
    /// What an earlier calculation carried forward (the part below a unit).
    pub carried_in: i64,
}

impl HuquqInputs {
    /// Reads one of the person's amounts (`field` names it in the error)
    /// as minor units of a currency with `exponent` decimals: exact, and
    /// never negative.
    ///
    /// ```
    /// use spend_core::analytics::HuquqInputs;
    /// assert_eq!(HuquqInputs::amount("gold price", "105.5", 2)?, 10_550);
    /// let err = HuquqInputs::amount("gold price", "105.555", 2).unwrap_err();
    /// assert_eq!(err.to_string(), "gold price \"105.555\" has more decimals than the currency (2)");
    /// assert!(HuquqInputs::amount("paid", "-1", 2).is_err());
    /// # Ok::<(), spend_core::analytics::AnalyticsError>(())
    /// ```
    pub fn amount(field: &str, text: &str, exponent: u8) -> Result<i64, AnalyticsError> {
        let input = |why: String| AnalyticsError::Input(format!("{field} {text:?} {why}"));
        let value = rust_decimal::Decimal::from_str_exact(text.trim())
            .map_err(|_| input("is not an amount".into()))?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(input("cannot be negative".into()));
        }
        if value.normalize().scale() > u32::from(exponent) {
            return Err(input(format!(
                "has more decimals than the currency ({exponent})"
            )));
        }
        let scaled = value * rust_decimal::Decimal::from(10_i64.pow(u32::from(exponent)));
        i64::try_from(scaled.trunc()).map_err(|_| input("is too large".into()))
    }
}

/// One line of the calculation, as it is shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HuquqLine {
    /// What it is.
    pub label: String,
    /// Minor units (negative for what is deducted).
    pub amount: i64,
    /// How it was reached.
    pub note: String,
}

/// The calculation, line by line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HuquqCalculation {
    /// Each step.
    pub lines: Vec<HuquqLine>,
    /// The increase in the value of possessions (income less necessary
    /// expenses and exempt purchases, plus what was carried in).
    pub increase: i64,
    /// The value of one unit (19 mithqáls = 69.19 g of gold), rounded down to the minor unit.
    pub unit_value: i64,
    /// Whole units in the increase.
    pub units: i64,
    /// 19% of the whole units' value, rounded half up to the minor unit,
    /// less what was already paid (never below zero).
    pub due: i64,
    /// The part below a unit, carried to the next calculation.
    pub carried_forward: i64,
    /// The gold price per gram used.
    pub gold_price_per_gram: i64,
}

/// The calculation for a period with `income` and `necessary` (essential)
/// expenses, both positive minor units. Discretionary spending is not
/// deducted. All arithmetic is on integers: the unit's value is
/// 6,919 x price / 100, and only what is paid or carried is rounded, each
/// as its line says.
pub fn huququllah(
    income: i64,
    necessary: i64,
    inputs: &HuquqInputs,
) -> Result<HuquqCalculation, AnalyticsError> {
    if inputs.gold_price_per_gram <= 0 {
        return Err(AnalyticsError::Input(
            "the gold price per gram must be positive".into(),
        ));
    }
    for (name, value) in [
        ("income", income),
        ("necessary expenses", necessary),
        ("exempt purchases", inputs.exempt),
        ("payments made", inputs.paid),
        ("the amount carried in", inputs.carried_in),
    ] {
        if value < 0 {
            return Err(AnalyticsError::Input(format!("{name} cannot be negative")));
        }
    }
    let increase = (i128::from(income) - i128::from(necessary) - i128::from(inputs.exempt)
        + i128::from(inputs.carried_in))
    .max(0);
    // In hundredths of a minor unit, so the unit's value is exact.
    let unit_hundredths = UNIT_CENTIGRAMS * i128::from(inputs.gold_price_per_gram);
    let units = increase * 100 / unit_hundredths;
    let whole_hundredths = units * unit_hundredths;
    // 19% of the whole units, half up: (x * 19 / 100) / 100, rounded once.
    let huquq = (whole_hundredths * 19 + 5_000) / 10_000;
    let due = (huquq - i128::from(inputs.paid)).max(0);
    let carried = (increase * 100 - whole_hundredths) / 100;
    let unit_value = unit_hundredths / 100;
    let fit =
        |v: i128| i64::try_from(v).map_err(|_| AnalyticsError::Input("amounts too large".into()));
    let line = |label: &str, amount: i128, note: String| -> Result<HuquqLine, AnalyticsError> {
        Ok(HuquqLine {
            label: label.to_owned(),
            amount: fit(amount)?,
            note,
        })
    };
    let lines = vec![
        line("Income", income.into(), "money in categorised as income".into())?,
        line("Necessary expenses", -i128::from(necessary), "spending marked essential; discretionary spending is not deducted".into())?,
        line("Exempt purchases", -i128::from(inputs.exempt), "residence and needed furnishings, as entered".into())?,
        line("Carried in", inputs.carried_in.into(), "the part below a unit from the last calculation".into())?,
        line("Increase in wealth", increase, "the sum above, never below zero".into())?,
        line("Value of one unit", unit_value, "19 mithqáls = 69.19 g of gold at the price per gram given (rounded down to the minor unit)".into())?,
        line("Whole units", units, "whole units in the increase".into())?,
        line("Value of the whole units", whole_hundredths / 100, "units x the unit's value".into())?,
        line("Huqúqu'lláh (19%)", huquq, "19% of the whole units' value, rounded half up to the minor unit".into())?,
        line("Payments made", -i128::from(inputs.paid), "already paid for this period".into())?,
        line("Due", due, "never below zero".into())?,
        line("Carried forward", carried, "the part below a unit (rounded down to the minor unit)".into())?,
    ];
    Ok(HuquqCalculation {
        lines,
        increase: fit(increase)?,
        unit_value: fit(unit_value)?,
        units: fit(units)?,
        due: fit(due)?,
        carried_forward: fit(carried)?,
        gold_price_per_gram: inputs.gold_price_per_gram,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn price(p: i64) -> HuquqInputs {
        HuquqInputs {
            gold_price_per_gram: p,
            ..Default::default()
        }
    }

    #[test]
    fn below_one_unit_everything_is_carried() {
        let c = huququllah(500_000, 0, &price(10_500)).unwrap();
        assert_eq!((c.units, c.due, c.carried_forward), (0, 0, 500_000));
    }

    #[test]
    fn discretionary_spending_is_not_deducted_and_exempt_items_are() {
        let with_exempt = HuquqInputs {
            exempt: 1_000_000,
            ..price(10_000)
        };
        let c = huququllah(3_000_000, 1_000_000, &with_exempt).unwrap();
        assert_eq!(c.increase, 1_000_000);
        assert_eq!(c.unit_value, 691_900);
        assert_eq!((c.units, c.carried_forward), (1, 308_100));
        assert_eq!(c.due, 131_461); // 19% of 6,919.00 = 1,314.61
    }

    #[test]
    fn carried_amounts_and_payments_count_and_rounding_is_stated() {
        // Price 0.01 a gram: a unit is 69.19 minor units exactly? 6,919 x 1 / 100 = 69.19.
        let c = huququllah(
            1_000,
            0,
            &HuquqInputs {
                carried_in: 38,
                ..price(1)
            },
        )
        .unwrap();
        assert_eq!(c.unit_value, 69, "69.19 rounded down for display");
        assert_eq!(c.units, 15, "1,038 / 69.19 = 15.002...");
        // 15 x 69.19 = 1,037.85; 19% = 197.1915 -> 197
        assert_eq!(c.due, 197);
        assert_eq!(
            c.carried_forward, 0,
            "1,038 - 1,037.85 = 0.15, rounded down"
        );
        let paid = huququllah(
            1_000,
            0,
            &HuquqInputs {
                carried_in: 38,
                paid: 500,
                ..price(1)
            },
        )
        .unwrap();
        assert_eq!(paid.due, 0, "never below zero");
    }

    #[test]
    fn bad_inputs_are_errors_not_panics() {
        assert!(huququllah(1, 0, &price(0)).is_err());
        assert!(huququllah(-1, 0, &price(1)).is_err());
        let huge = huququllah(i64::MAX, 0, &price(1)).unwrap();
        assert!(huge.units > 0);
    }
}
