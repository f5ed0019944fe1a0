//! Numbers with Sprig's meaning: the lenient conversions (`to_int`, `to_float`, `atoi`), Go's
//! integer division and remainder (`div`, `mod`), `max`/`min` over integers, and the float
//! functions computed in decimal as Sprig computes them (`addf`, `subf`, `mulf`, `divf`).

use tera::{Kwargs, TeraResult, Value};

use super::args::{list_arg, required};
use super::go;
use super::register::Registry;

pub fn register(r: &mut Registry) {
    r.filter("to_int", &[], |v, _, _| Ok(go::to_int64(&v).into()));
    r.filter("to_float", &[], |v, _, _| Ok(go::to_float64(&v).into()));
    r.filter("atoi", &[], |v, _, _| Ok(atoi(&v).into()));
    r.function("div", &["a", "b"], |k, _| {
        let (a, b) = operands(k, "div")?;
        if b == 0 {
            return Err(tera::Error::message("`div`: division by zero"));
        }
        Ok(a.wrapping_div(b).into())
    });
    r.function("mod", &["a", "b"], |k, _| {
        let (a, b) = operands(k, "mod")?;
        if b == 0 {
            return Err(tera::Error::message("`mod`: division by zero"));
        }
        Ok(a.wrapping_rem(b).into())
    });
    r.function("max", &["values"], |k, _| extreme(k, "max", Iterator::max));
    r.function("min", &["values"], |k, _| extreme(k, "min", Iterator::min));
    r.function("addf", &["values"], |k, _| {
        decimal_fold(k, "addf", |a, b| a.add(&b))
    });
    r.function("subf", &["values"], |k, _| {
        decimal_fold(k, "subf", |a, b| a.add(&b.negate()))
    });
    r.function("mulf", &["values"], |k, _| {
        decimal_fold(k, "mulf", |a, b| a.mul(&b))
    });
    r.function("divf", &["values"], |k, _| {
        let values = list_arg(k, "values", "divf", "divf(values=[7, 2])")?;
        let mut numbers = values.iter().map(go::to_float64);
        let first = numbers.next().unwrap_or(0.0);
        let mut out = first;
        for n in numbers {
            if n == 0.0 {
                return Err(tera::Error::message("`divf`: division by zero"));
            }
            out /= n;
        }
        Ok(Decimal::from_f64(out).to_f64().into())
    });
}

/// Go's `strconv.Atoi`: an optional sign and decimal digits, else 0.
fn atoi(value: &Value) -> i64 {
    if let Some(s) = value.as_str() {
        let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return 0;
        }
        return s.parse().unwrap_or(0);
    }
    go::to_int64(&Value::from(go::strval(value)))
}

fn operands(k: &Kwargs, name: &str) -> TeraResult<(i64, i64)> {
    let example = format!("{name}(a=7, b=2)");
    let a = required::<Value>(k, "a", name, &example)?;
    let b = required::<Value>(k, "b", name, &example)?;
    Ok((go::to_int64(&a), go::to_int64(&b)))
}

fn extreme(
    k: &Kwargs,
    name: &str,
    pick: fn(std::vec::IntoIter<i64>) -> Option<i64>,
) -> TeraResult<Value> {
    let values = list_arg(k, "values", name, &format!("{name}(values=[1, 5])"))?;
    let numbers: Vec<i64> = values.iter().map(go::to_int64).collect();
    Ok(pick(numbers.into_iter()).unwrap_or(0).into())
}

fn decimal_fold(k: &Kwargs, name: &str, op: fn(Decimal, Decimal) -> Decimal) -> TeraResult<Value> {
    let values = list_arg(k, "values", name, &format!("{name}(values=[1.5, 2])"))?;
    let mut numbers = values.iter().map(|v| Decimal::from_f64(go::to_float64(v)));
    let Some(first) = numbers.next() else {
        return Ok(0.0.into());
    };
    Ok(numbers.fold(first, op).to_f64().into())
}

/// A float's shortest decimal digits as `coefficient × 10^exponent`, as shopspring/decimal's
/// `NewFromFloat` reads it, so that `mulf 0.1 3` is 0.3 as in Sprig. Falls back to binary
/// floats when the coefficient would overflow (no chart multiplies such numbers).
#[derive(Clone, Copy)]
enum Decimal {
    Exact { coefficient: i128, exponent: i32 },
    Float(f64),
}

impl Decimal {
    fn from_f64(f: f64) -> Decimal {
        if !f.is_finite() {
            return Decimal::Float(f);
        }
        let text = format!("{f:e}");
        let Some((mantissa, exponent)) = text.split_once('e') else {
            return Decimal::Float(f);
        };
        let exponent: i32 = exponent.parse().unwrap_or(0);
        let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let digits = format!("{whole}{fraction}");
        match digits.parse::<i128>() {
            Ok(coefficient) => Decimal::Exact {
                coefficient,
                exponent: exponent - fraction.len() as i32,
            },
            Err(_) => Decimal::Float(f),
        }
    }

    fn to_f64(self) -> f64 {
        match self {
            Decimal::Exact {
                coefficient,
                exponent,
            } => format!("{coefficient}e{exponent}")
                .parse()
                .unwrap_or(f64::NAN),
            Decimal::Float(f) => f,
        }
    }

    fn negate(self) -> Decimal {
        match self {
            Decimal::Exact {
                coefficient,
                exponent,
            } => Decimal::Exact {
                coefficient: -coefficient,
                exponent,
            },
            Decimal::Float(f) => Decimal::Float(-f),
        }
    }

    fn add(&self, other: &Decimal) -> Decimal {
        if let (
            Decimal::Exact {
                coefficient: a,
                exponent: ea,
            },
            Decimal::Exact {
                coefficient: b,
                exponent: eb,
            },
        ) = (*self, *other)
        {
            let exponent = ea.min(eb);
            let scale = |c: i128, e: i32| {
                10_i128
                    .checked_pow(u32::try_from(e - exponent).ok()?)
                    .and_then(|p| c.checked_mul(p))
            };
            if let (Some(a), Some(b)) = (scale(a, ea), scale(b, eb))
                && let Some(coefficient) = a.checked_add(b)
            {
                return Decimal::Exact {
                    coefficient,
                    exponent,
                };
            }
        }
        Decimal::Float(self.to_f64() + other.to_f64())
    }

    fn mul(&self, other: &Decimal) -> Decimal {
        if let (
            Decimal::Exact {
                coefficient: a,
                exponent: ea,
            },
            Decimal::Exact {
                coefficient: b,
                exponent: eb,
            },
        ) = (*self, *other)
            && let Some(coefficient) = a.checked_mul(b)
        {
            return Decimal::Exact {
                coefficient,
                exponent: ea + eb,
            };
        }
        Decimal::Float(self.to_f64() * other.to_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_arithmetic_as_sprig() {
        let d = Decimal::from_f64;
        assert_eq!(d(0.1).mul(&d(3.0)).to_f64(), 0.3);
        assert_eq!(d(0.1).add(&d(0.2)).to_f64(), 0.3);
        assert_eq!(d(5.0).add(&d(1.25).negate()).to_f64(), 3.75);
        assert_eq!(atoi(&Value::from("12")), 12);
        assert_eq!(atoi(&Value::from("x")), 0);
        assert_eq!(atoi(&Value::from("-3")), -3);
    }
}
