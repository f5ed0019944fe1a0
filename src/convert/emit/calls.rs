//! Go's, Sprig's and Helm's functions as ktera writes them (docs/convert.md, sections 9, 10, 12
//! to 15): each call becomes the filter or function of the table with Helm's meaning, a
//! component call, or a Tera operator.

use super::expr::{self, ADD, AND, ATOM, CMP, FILTER, Kind, MUL, OR, T, TERNARY, TEST};
use super::names;
use super::plan::MUTATORS;
use super::{Dot, Emitter, Severity, Signature};
use crate::convert::ast::*;
use crate::convert::functions::NONDETERMINISTIC;

/// Sprig's date functions (which charts nearly always give `now`) and `derivePassword`: ktera
/// has no equivalent, so they convert to a stop that asks for the value, as the functions of
/// `NONDETERMINISTIC` do.
const WITHOUT_EQUIVALENT: &[&str] = &[
    "derivePassword",
    "date",
    "dateInZone",
    "date_in_zone",
    "htmlDate",
    "htmlDateInZone",
    "unixEpoch",
    "dateModify",
    "date_modify",
    "mustDateModify",
    "durationRound",
];

/// Functions whose result changes in Helm that a converted chart still calls: `lookup` (empty
/// without a cluster, as in `helm template`) and `htpasswd` (bcrypt, salted from its inputs in
/// ktera, so the same hash on every render; reported where it is converted).
const CONVERTED_ANYWAY: &[&str] = &["lookup", "htpasswd"];

/// The number of arguments each function takes (at least, at most), where Go checks it.
fn arity(name: &str) -> Option<(usize, usize)> {
    const MANY: usize = usize::MAX;
    Some(match name {
        "not" | "len" | "empty" | "upper" | "lower" | "title" | "untitle" | "trim" | "toString"
        | "toYaml" | "mustToYaml" | "toJson" | "mustToJson" | "toPrettyJson"
        | "mustToPrettyJson" | "toRawJson" | "mustToRawJson" | "fromYaml" | "fromJson"
        | "mustFromJson" | "fromYamlArray" | "fromJsonArray" | "mustFromJsonArray" | "b64enc"
        | "b64dec" | "sha256sum" | "sha1sum" | "base" | "dir" | "ext" | "int" | "int64"
        | "float64" | "atoi" | "first" | "mustFirst" | "last" | "mustLast" | "rest"
        | "mustRest" | "initial" | "mustInitial" | "uniq" | "mustUniq" | "compact"
        | "mustCompact" | "reverse" | "mustReverse" | "sortAlpha" | "keys" | "values"
        | "deepCopy" | "mustDeepCopy" | "kindOf" | "typeOf" | "semver" | "camelcase"
        | "snakecase" | "kebabcase" | "add1" | "add1f" | "floor" | "ceil" | "until"
        | "getHostByName" | "regexQuoteMeta" | "fail" | "quote" | "squote" | "b32enc"
        | "b32dec" | "sha512sum" | "adler32sum" | "clean" | "nospace" | "initials" | "swapcase"
        | "toStrings" | "isAbs" | "toDecimal" | "urlParse" | "urlJoin" | "toToml" => match name {
            "keys" => (1, MANY),
            "quote" | "squote" => (0, MANY),
            _ => (1, 1),
        },
        "trimAll" | "trimPrefix" | "trimSuffix" | "trunc" | "contains" | "hasPrefix"
        | "hasSuffix" | "indent" | "nindent" | "split" | "splitList" | "join" | "required"
        | "has" | "mustHas" | "hasKey" | "append" | "mustAppend" | "push" | "mustPush"
        | "prepend" | "mustPrepend" | "kindIs" | "typeIs" | "typeIsLike" | "deepEqual"
        | "regexMatch" | "mustRegexMatch" | "regexFind" | "mustRegexFind" | "semverCompare"
        | "htpasswd" | "sub" | "div" | "mod" | "tpl" | "unset" | "eq" => match name {
            "eq" => (2, MANY),
            _ => (2, 2),
        },
        "ternary"
        | "replace"
        | "set"
        | "regexReplaceAll"
        | "mustRegexReplaceAll"
        | "regexReplaceAllLiteral"
        | "mustRegexReplaceAllLiteral"
        | "regexSplit"
        | "mustRegexSplit"
        | "regexFindAll"
        | "mustRegexFindAll"
        | "substr"
        | "splitn"
        | "untilStep"
        | "wrapWith"
        | "plural" => (3, 3),
        "ne" | "lt" | "le" | "gt" | "ge" => (2, 2),
        // Sprig's `default` takes the value as an optional last argument.
        // Sprig's `default` is variadic: the value is the second argument, any after it unused.
        "default" => (1, MANY),
        "lookup" => (4, 4),
        "include" => (2, 2),
        "and" | "or" => (1, MANY),
        "index" => (1, MANY),
        "merge" | "mustMerge" | "mergeOverwrite" | "mustMergeOverwrite" => (1, MANY),
        "dig" => (2, MANY),
        "pick" | "omit" | "without" | "mustWithout" => (1, MANY),
        "get" | "repeat" | "abbrev" | "wrap" | "chunk" | "mustChunk" => (2, 2),
        "pluck" | "max" | "min" | "biggest" | "maxf" | "minf" | "mul" | "subf" | "mulf"
        | "divf" => (1, MANY),
        "printf" => (1, MANY),
        "round" => (2, 3),
        "slice" | "mustSlice" => (1, MANY),
        _ => return None,
    })
}

/// An argument of a call: its Go expression (none for the piped value) and its Tera form.
struct Arg<'e> {
    go: Option<&'e Expr>,
    t: T,
}

impl<'m> Emitter<'m> {
    /// A function call `f a b` (with the previous command's value last, when piped).
    pub(super) fn call(&mut self, f: &Identifier, args: &[Expr], piped: Option<T>) -> T {
        let name = f.name.as_str();
        let count = args.len() + usize::from(piped.is_some());
        if let Some((min, max)) = arity(name)
            && (count < min || count > max)
        {
            let want = if min == max {
                min.to_string()
            } else {
                format!("at least {min}")
            };
            self.report(
                f.pos,
                Severity::Error,
                format!("`{name}` takes {want} arguments, this call gives {count}: Helm fails when this runs"),
            );
            return self.fail_expr(&format!(
                "wrong number of args for {name}: want {want} got {count}"
            ));
        }
        if name == "default"
            && let Some(Expr::Field(field)) = args.get(1)
            && field.names.first().is_some_and(|n| n == "Values")
        {
            self.supply_hint = Some(field.names[1..].join("."));
        }
        if MUTATORS.contains(&name) {
            return self.mutation(f, args, piped);
        }
        if name == "include" {
            return self.include(f, args, piped);
        }
        if WITHOUT_EQUIVALENT.contains(&name)
            || NONDETERMINISTIC.contains(&name) && !CONVERTED_ANYWAY.contains(&name)
        {
            return self.random(f, args);
        }
        let mut a: Vec<Arg> = args
            .iter()
            .map(|e| Arg {
                go: Some(e),
                t: self.expr(e),
            })
            .collect();
        if let Some(p) = piped {
            a.push(Arg { go: None, t: p });
        }
        // Tera refuses list literals nested more than 2 deep (`list (list (list "k"))`): an
        // argument already 2 deep is set in a variable first.
        for arg in &mut a {
            if expr::list_depth(&arg.t.text) >= 2 {
                let name = self.scope.taken.fresh("nested");
                self.scope
                    .pending
                    .push(format!("set {name} = {}", arg.t.arg()));
                arg.t = T {
                    sure_list: arg.t.sure_list,
                    ..T::name(name, arg.t.kind, arg.t.nullable)
                };
            }
        }
        if name == "default" {
            self.supply_hint = None;
        }
        self.function(f, &a)
    }

    fn function(&mut self, f: &Identifier, a: &[Arg]) -> T {
        let name = f.name.as_str();
        let t = |i: usize| a[i].t.clone();
        let last = || a[a.len() - 1].t.clone();
        let list_of =
            |from: usize| expr::list(&a[from..].iter().map(|x| x.t.clone()).collect::<Vec<_>>());
        match name {
            // ---- Go's built-ins ----
            "and" | "or" => {
                let (word, prec) = if name == "and" {
                    ("and", AND)
                } else {
                    ("or", OR)
                };
                let parts: Vec<String> = a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| x.t.at(if i == 0 { prec } else { prec + 1 }))
                    .collect();
                let kind = if a.iter().all(|x| x.t.kind == Kind::Bool && !x.t.nullable) {
                    Kind::Bool
                } else {
                    Kind::Any
                };
                let nullable = a.iter().any(|x| x.t.nullable);
                T::op(parts.join(&format!(" {word} ")), prec, kind).with_nullable(nullable)
            }
            "not" => {
                T::op(format!("not {}", t(0).at(FILTER)), TEST, Kind::Bool).with_nullable(false)
            }
            "eq" if a.len() > 2 => T::op(
                format!("{} in {}", t(0).at(TEST + 1), list_of(1)),
                TEST,
                Kind::Bool,
            )
            .with_nullable(false),
            "eq" | "ne" if a.iter().any(|x| x.t.kind == Kind::Nil) => {
                // Go's nil equals a missing value too; Tera's `none` is not undefined.
                let other = if t(0).kind == Kind::Nil { t(1) } else { t(0) };
                let test = if name == "eq" { "" } else { "not " };
                T::op(format!("{test}{}", is_nil(&other)), TEST, Kind::Bool).with_nullable(false)
            }
            "eq" | "ne" | "lt" | "le" | "gt" | "ge" | "deepEqual" => {
                let op = match name {
                    "eq" | "deepEqual" => "==",
                    "ne" => "!=",
                    "lt" => "<",
                    "le" => "<=",
                    "gt" => ">",
                    _ => ">=",
                };
                T::op(
                    format!("{} {op} {}", t(0).at(CMP + 1), t(1).at(CMP + 1)),
                    CMP,
                    Kind::Bool,
                )
                .with_nullable(false)
            }
            "len" => t(0).filter("length", Kind::Int).with_nullable(false),
            "index" => {
                let mut base = t(0);
                for key in &a[1..] {
                    base = T::name(
                        format!("{}[{}]", base.at(ATOM), key.t.arg()),
                        Kind::Any,
                        true,
                    );
                    base.path = false;
                }
                base
            }
            "slice" | "mustSlice" => {
                let bounds = match a.len() {
                    1 => return t(0),
                    2 => format!("{}:", t(1).arg()),
                    _ => format!("{}:{}", t(1).arg(), t(2).arg()),
                };
                T::atom(format!("{}[{bounds}]", t(0).at(ATOM)), t(0).kind)
            }
            "print" => self.print(a),
            "printf" => self.printf(f, a),
            "println" => T::sure(format!("println(values={})", list_of(0)), Kind::Str),
            "urlquery" => {
                if a.len() == 1 {
                    t(0).filter("urlquery", Kind::Str).with_nullable(false)
                } else {
                    T::sure(format!("print(values={})", list_of(0)), Kind::Str)
                        .filter("urlquery", Kind::Str)
                        .with_nullable(false)
                }
            }
            // ---- defaults and types ----
            "default" if a.len() == 1 => t(0),
            "default" => {
                let (fallback, value) = (t(0), t(1));
                // The value when it is set, else the fallback: a scalar fallback makes the
                // result print as one (a value set to a map where a default names a string
                // is not a chart's intent).
                let kind = if value.kind == fallback.kind {
                    value.kind
                } else if !fallback.nullable
                    && matches!(
                        fallback.kind,
                        Kind::Str | Kind::Int | Kind::Bool | Kind::Number
                    )
                    && matches!(
                        value.kind,
                        Kind::Any | Kind::Str | Kind::Int | Kind::Number | Kind::Bool
                    )
                {
                    if value.kind == Kind::Any {
                        fallback.kind
                    } else {
                        Kind::Number
                    }
                } else {
                    Kind::Any
                };
                if fallback.text.contains("supply(") {
                    // Tera evaluates keyword arguments even when unused: only the ternary
                    // keeps the fallback from running when the value is set.
                    return T::op(
                        format!(
                            "{} if {} else {}",
                            value.at(OR),
                            value.at(OR + 1),
                            fallback.at(OR)
                        ),
                        TERNARY,
                        kind,
                    );
                }
                value
                    .filter(&format!("default(value={})", fallback.arg()), kind)
                    .with_nullable(fallback.nullable)
            }
            "empty" => {
                T::op(format!("not {}", t(0).at(FILTER)), TEST, Kind::Bool).with_nullable(false)
            }
            "coalesce" => T::atom(format!("coalesce(values={})", list_of(0)), Kind::Any),
            "ternary" => {
                let kind = if t(0).kind == t(1).kind {
                    t(0).kind
                } else {
                    Kind::Any
                };
                T::op(
                    format!("{} if {} else {}", t(0).at(OR), t(2).at(OR), t(1).at(OR)),
                    TERNARY,
                    kind,
                )
                .with_nullable(t(0).nullable || t(1).nullable)
            }
            "required" => {
                let value = t(1);
                let kind = value.kind;
                value
                    .filter(&format!("required(message={})", t(0).arg()), kind)
                    .with_nullable(false)
            }
            "fail" => T::atom(format!("throw(message={})", t(0).arg()), Kind::Any),
            "kindIs" => self.kind_is(a),
            "kindOf" => T::sure(format!("kind_of(value={})", t(0).arg()), Kind::Str),
            "typeOf" => T::sure(format!("type_of(value={})", t(0).arg()), Kind::Str),
            // `typeIsLike "T"`: `T` or `*T` (`semver` gives a `*semver.Version`).
            "typeIsLike" => {
                let like = match a[0].go {
                    Some(Expr::String(s)) => {
                        expr::list(&[T::string(&s.value), T::string(&format!("*{}", s.value))])
                    }
                    _ => format!("[{}, \"*\" ~ {}]", t(0).arg(), t(0).at(FILTER)),
                };
                T::op(
                    format!("type_of(value={}) in {like}", t(1).arg()),
                    TEST,
                    Kind::Bool,
                )
                .with_nullable(false)
            }
            "typeIs" => T::op(
                format!("type_of(value={}) == {}", t(1).arg(), t(0).at(CMP + 1)),
                CMP,
                Kind::Bool,
            )
            .with_nullable(false),
            // ---- lists and maps ----
            "list" | "tuple" => T::sure(list_of(0), Kind::List).with_sure_list(),
            "dict" => self.dict(a),
            "get" => t(0).filter(&format!("get(key={}, default=\"\")", t(1).arg()), Kind::Any),
            "hasKey" => t(0)
                .filter(&format!("has_key(key={})", t(1).arg()), Kind::Bool)
                .with_nullable(false),
            "keys" if a.len() == 1 => t(0).filter("keys", Kind::List).with_sure_list(),
            "keys" => {
                let lists: Vec<T> = a.iter().map(|x| x.t.filter("keys", Kind::List)).collect();
                T::sure(format!("concat(lists={})", expr::list(&lists)), Kind::List)
                    .with_sure_list()
            }
            "values" => t(0).filter("values", Kind::List).with_sure_list(),
            "pick" | "omit" => t(0)
                .filter(&format!("{name}(keys={})", list_of(1)), Kind::Map)
                .with_nullable(false),
            "dig" => {
                let n = a.len();
                let keys = expr::list(&a[..n - 2].iter().map(|x| x.t.clone()).collect::<Vec<_>>());
                a[n - 1].t.filter(
                    &format!("dig(keys={keys}, default={})", a[n - 2].t.arg()),
                    Kind::Any,
                )
            }
            "append" | "mustAppend" | "push" | "mustPush" => t(0)
                .filter(&format!("append(value={})", t(1).arg()), Kind::List)
                .with_sure_list(),
            "prepend" | "mustPrepend" => t(0)
                .filter(&format!("prepend(value={})", t(1).arg()), Kind::List)
                .with_sure_list(),
            "concat" => {
                T::sure(format!("concat(lists={})", list_of(0)), Kind::List).with_sure_list()
            }
            "first" | "mustFirst" => t(0).filter("first", Kind::Any),
            "last" | "mustLast" => t(0).filter("last", Kind::Any),
            "rest" | "mustRest" => T::atom(format!("{}[1:]", t(0).at(ATOM)), Kind::List),
            "initial" | "mustInitial" => T::atom(format!("{}[:-1]", t(0).at(ATOM)), Kind::List),
            "uniq" | "mustUniq" => t(0).filter("unique", Kind::List).with_nullable(false),
            "has" | "mustHas" => t(1)
                .filter(&format!("has(value={})", t(0).arg()), Kind::Bool)
                .with_nullable(false),
            "without" | "mustWithout" => t(0)
                .filter(&format!("without(values={})", list_of(1)), Kind::List)
                .with_nullable(false),
            "compact" | "mustCompact" => t(0).filter("compact", Kind::List).with_nullable(false),
            "reverse" | "mustReverse" => t(0).filter("reverse", Kind::List).with_nullable(false),
            "sortAlpha" => t(0).filter("sort_alpha", Kind::List).with_sure_list(),
            "deepCopy" | "mustDeepCopy" => t(0),
            "until" => T::sure(format!("until(count={})", t(0).arg()), Kind::List).with_sure_list(),
            "untilStep" => T::sure(
                format!(
                    "until_step(start={}, stop={}, step={})",
                    t(0).arg(),
                    t(1).arg(),
                    t(2).arg()
                ),
                Kind::List,
            )
            .with_sure_list(),
            "seq" => T::sure(format!("seq(values={})", list_of(0)), Kind::Str),
            // ---- strings ----
            "quote" if a.len() == 1 => t(0).filter("quote", Kind::Str).with_nullable(false),
            "quote" => T::sure(format!("quote(values={})", list_of(0)), Kind::Str),
            "squote" if a.len() == 1 => t(0).filter("squote", Kind::Str).with_nullable(false),
            "squote" => T::sure(format!("squote(values={})", list_of(0)), Kind::Str),
            "upper" | "lower" | "title" | "untitle" | "camelcase" | "snakecase" | "kebabcase"
            | "trim" | "base" | "dir" | "ext" | "regexQuoteMeta" => {
                let filter = match name {
                    "regexQuoteMeta" => "regex_quote_meta",
                    other => other,
                };
                t(0).filter(filter, Kind::Str).with_nullable(false)
            }
            "b64enc" | "b64dec" | "sha256sum" | "sha1sum" => {
                let filter = match name {
                    "b64enc" => "b64encode",
                    "b64dec" => "b64decode",
                    "sha256sum" => "sha256",
                    _ => "sha1",
                };
                t(0).filter(filter, Kind::Str).with_nullable(false)
            }
            // A missing value is Go's nil: `<nil>`.
            "toString" => serialised(&t(0))
                .filter("to_string", Kind::Str)
                .with_nullable(false),
            "trimAll" => t(1)
                .filter(&format!("trim_all(chars={})", t(0).arg()), Kind::Str)
                .with_nullable(false),
            "trimPrefix" => t(1)
                .filter(&format!("trim_prefix(prefix={})", t(0).arg()), Kind::Str)
                .with_nullable(false),
            "trimSuffix" => t(1)
                .filter(&format!("trim_suffix(suffix={})", t(0).arg()), Kind::Str)
                .with_nullable(false),
            "trunc" => t(1)
                .filter(&format!("trunc(length={})", t(0).arg()), Kind::Str)
                .with_nullable(false),
            "replace" => t(2)
                .filter(
                    &format!("replace(from={}, to={})", t(0).arg(), t(1).arg()),
                    Kind::Str,
                )
                .with_nullable(false),
            "contains" => T::op(
                format!("{} in {}", t(0).at(TEST + 1), t(1).at(TEST + 1)),
                TEST,
                Kind::Bool,
            )
            .with_nullable(false),
            "hasPrefix" | "hasSuffix" => {
                let test = if name == "hasPrefix" {
                    "starting_with"
                } else {
                    "ending_with"
                };
                T::op(
                    format!("{} is {test}(pat={})", t(1).at(TEST + 1), t(0).arg()),
                    TEST,
                    Kind::Bool,
                )
                .with_nullable(false)
            }
            // Sprig pads empty lines too (`blank=true`), the one after a final newline
            // included, which a `-}}` then keeps from pulling the next line to column 0.
            "indent" => t(1)
                .filter(
                    &format!("indent(width={}, first=true, blank=true)", t(0).arg()),
                    Kind::Str,
                )
                .with_nullable(false),
            "nindent" => t(1)
                .filter(
                    &format!("nindent(width={}, blank=true)", t(0).arg()),
                    Kind::Str,
                )
                .with_nullable(false),
            "split" => t(1)
                .filter(&format!("split_map(sep={})", t(0).arg()), Kind::Map)
                .with_nullable(false),
            "splitn" => t(2)
                .filter(
                    &format!("split_map(sep={}, n={})", t(0).arg(), t(1).arg()),
                    Kind::Map,
                )
                .with_nullable(false),
            "splitList" => t(1)
                .filter(&format!("split(pat={})", t(0).arg()), Kind::List)
                .with_sure_list(),
            "join" => t(1)
                .filter(&format!("join(sep={})", t(0).arg()), Kind::Str)
                .with_nullable(false),
            "cat" => T::sure(format!("cat(values={})", list_of(0)), Kind::Str),
            "substr" => {
                // Sprig: a negative start is 0, a negative end is the end of the string.
                let bound = |x: &Arg, end: bool| match x.go {
                    Some(Expr::Number(n)) if n.int.is_some_and(|i| i < 0) => {
                        if end {
                            String::new()
                        } else {
                            "0".to_string()
                        }
                    }
                    _ => x.t.arg(),
                };
                T::atom(
                    format!(
                        "{}[{}:{}]",
                        t(2).at(ATOM),
                        bound(&a[0], false),
                        bound(&a[1], true)
                    ),
                    Kind::Str,
                )
                .with_nullable(false)
            }
            "regexMatch" | "mustRegexMatch" => t(1)
                .filter(&format!("regex_match(pattern={})", t(0).arg()), Kind::Bool)
                .with_nullable(false),
            "regexFind" | "mustRegexFind" => t(1)
                .filter(&format!("regex_find(pattern={})", t(0).arg()), Kind::Str)
                .with_nullable(false),
            "regexFindAll" | "mustRegexFindAll" => t(1)
                .filter(
                    &format!("regex_find_all(pattern={}, n={})", t(0).arg(), t(2).arg()),
                    Kind::List,
                )
                .with_sure_list(),
            "regexReplaceAll" | "mustRegexReplaceAll" => t(1)
                .filter(
                    &format!(
                        "regex_replace_all(pattern={}, replacement={})",
                        t(0).arg(),
                        t(2).arg()
                    ),
                    Kind::Str,
                )
                .with_nullable(false),
            "regexReplaceAllLiteral" | "mustRegexReplaceAllLiteral" => t(1)
                .filter(
                    &format!(
                        "regex_replace_all(pattern={}, replacement={}, literal=true)",
                        t(0).arg(),
                        t(2).arg()
                    ),
                    Kind::Str,
                )
                .with_nullable(false),
            "regexSplit" | "mustRegexSplit" => t(1)
                .filter(
                    &format!("regex_split(pattern={}, n={})", t(0).arg(), t(2).arg()),
                    Kind::List,
                )
                .with_sure_list(),
            // ---- numbers ----
            "int" | "int64" => t(0).filter("to_int", Kind::Int).with_nullable(false),
            "float64" => t(0).filter("to_float", Kind::Float).with_nullable(false),
            "atoi" => t(0).filter("atoi", Kind::Int).with_nullable(false),
            "add" | "mul" => {
                if a.is_empty() {
                    return T::sure(if name == "add" { "0" } else { "1" }, Kind::Int);
                }
                let (op, prec) = if name == "add" {
                    ("+", ADD)
                } else {
                    ("*", MUL)
                };
                let parts: Vec<String> = a
                    .iter()
                    .enumerate()
                    .map(|(i, x)| int_operand(&x.t).at(if i == 0 { prec } else { prec + 1 }))
                    .collect();
                T::op(parts.join(&format!(" {op} ")), prec, Kind::Int).with_nullable(false)
            }
            "add1" => T::op(
                format!("{} + 1", int_operand(&t(0)).at(ADD)),
                ADD,
                Kind::Int,
            )
            .with_nullable(false),
            "sub" => T::op(
                format!(
                    "{} - {}",
                    int_operand(&t(0)).at(ADD),
                    int_operand(&t(1)).at(ADD + 1)
                ),
                ADD,
                Kind::Int,
            )
            .with_nullable(false),
            "div" | "mod" => T::sure(
                format!("{name}(a={}, b={})", t(0).arg(), t(1).arg()),
                Kind::Int,
            ),
            "max" | "min" => T::sure(format!("{name}(values={})", list_of(0)), Kind::Int),
            "floor" | "ceil" => t(0)
                .filter("to_float", Kind::Float)
                .filter(&format!("round(method=\"{name}\")"), Kind::Float)
                .with_nullable(false),
            "round" => t(0)
                .filter("to_float", Kind::Float)
                .filter(&format!("round(precision={})", t(1).arg()), Kind::Float)
                .with_nullable(false),
            "addf" | "subf" | "mulf" | "divf" => {
                T::sure(format!("{name}(values={})", list_of(0)), Kind::Float)
            }
            "add1f" => T::sure(format!("addf(values=[{}, 1])", t(0).arg()), Kind::Float),
            // ---- serialization ----
            "toYaml" | "mustToYaml" => {
                let filter = if std::mem::take(&mut self.yaml_structure) {
                    "to_yaml"
                } else {
                    // Kept as text: Helm's bytes (keys sorted, go-yaml's quotes).
                    "to_yaml(style=\"go\")"
                };
                serialised(&t(0))
                    .filter(filter, Kind::Str)
                    .with_nullable(false)
            }
            "toJson" | "mustToJson" => serialised(&t(0))
                .filter("to_json(sort_keys=true)", Kind::Str)
                .with_nullable(false),
            "toPrettyJson" | "mustToPrettyJson" => serialised(&t(0))
                .filter("to_json(pretty=true, sort_keys=true)", Kind::Str)
                .with_nullable(false),
            "toRawJson" | "mustToRawJson" => {
                self.report(
                    f.pos,
                    Severity::Note,
                    "`toRawJson` does not escape `<`, `>` and `&`; ktera's `to_json` does (as `toJson`): the JSON reads the same",
                );
                serialised(&t(0))
                    .filter("to_json(sort_keys=true)", Kind::Str)
                    .with_nullable(false)
            }
            "toToml" => {
                // A values file's numbers are float64 in Helm, which writes them as `1.0`.
                let from_values = t(0).text == "Values" || t(0).text.starts_with("Values.");
                let filter = if from_values {
                    "to_toml(go_floats=true)"
                } else {
                    "to_toml"
                };
                serialised(&t(0))
                    .filter(filter, Kind::Str)
                    .with_nullable(false)
            }
            "urlParse" => t(0).filter("url_parse", Kind::Map).with_nullable(false),
            "urlJoin" => t(0).filter("url_join", Kind::Str).with_nullable(false),
            // Helm returns `{"Error": ...}` for text it cannot read; a file that looks for that
            // key (vault tells HCL from JSON so) gets the same, others a located error.
            "fromYaml" | "fromJson" => {
                let filter = if name == "fromYaml" {
                    "from_yaml"
                } else {
                    "from_json"
                };
                let filter = if self.source.contains("\"Error\"") {
                    format!("{filter}(error_key=true)")
                } else {
                    filter.to_string()
                };
                t(0).filter(&filter, Kind::Map).with_nullable(false)
            }
            // Sprig's, which Helm does not replace: any JSON value, not only a map.
            "mustFromJson" => t(0)
                .filter("from_json(any=true)", Kind::Any)
                .with_nullable(false),
            "fromYamlArray" => t(0).filter("from_yaml_array", Kind::List).with_sure_list(),
            "fromJsonArray" | "mustFromJsonArray" => {
                t(0).filter("from_json_array", Kind::List).with_sure_list()
            }
            // ---- Helm's ----
            "semver" => T::sure(format!("semver(version={})", t(0).arg()), Kind::Map)
                .with_version(expr::Version::Pointer),
            "semverCompare" => T::sure(
                format!(
                    "semver_compare(constraint={}, version={})",
                    t(0).arg(),
                    t(1).arg()
                ),
                Kind::Bool,
            ),
            "htpasswd" => {
                self.report(
                    f.pos,
                    Severity::Note,
                    "`htpasswd` salts at random in Helm, so its hash changes on every render; ktera's is the same every time (and still verifies): the output differs from Helm's here",
                );
                T::sure(
                    format!("htpasswd(username={}, password={})", t(0).arg(), t(1).arg()),
                    Kind::Str,
                )
            }
            "getHostByName" => T::string(""),
            "lookup" => T::sure(
                format!(
                    "lookup(api_version={}, kind={}, namespace={}, name={})",
                    t(0).arg(),
                    t(1).arg(),
                    t(2).arg(),
                    t(3).arg()
                ),
                Kind::Map,
            ),
            "tpl" => self.tpl(&t(0), &a[1]),
            "hello" => T::string("Hello!"),
            // ---- Sprig's less common ----
            "html" | "js" => {
                let filter = if name == "html" {
                    "html_escape"
                } else {
                    "js_escape"
                };
                let subject = if a.len() == 1 {
                    t(0)
                } else {
                    T::sure(format!("print(values={})", list_of(0)), Kind::Str)
                };
                subject.filter(filter, Kind::Str).with_nullable(false)
            }
            "b32enc" | "b32dec" | "sha512sum" | "adler32sum" | "clean" | "nospace" | "initials"
            | "swapcase" | "toStrings" | "isAbs" | "toDecimal" => {
                let (filter, kind) = match name {
                    "b32enc" => ("b32encode", Kind::Str),
                    "b32dec" => ("b32decode", Kind::Str),
                    "sha512sum" => ("sha512", Kind::Str),
                    "adler32sum" => ("adler32", Kind::Str),
                    "toStrings" => ("to_strings", Kind::List),
                    "isAbs" => ("is_abs", Kind::Bool),
                    "toDecimal" => ("to_decimal", Kind::Int),
                    other => (other, Kind::Str),
                };
                t(0).filter(filter, kind).with_nullable(false)
            }
            "repeat" => t(1)
                .filter(&format!("repeat(count={})", t(0).arg()), Kind::Str)
                .with_nullable(false),
            "abbrev" => t(1)
                .filter(&format!("abbrev(width={})", t(0).arg()), Kind::Str)
                .with_nullable(false),
            "wrap" => t(1)
                .filter(&format!("wrap(width={})", t(0).arg()), Kind::Str)
                .with_nullable(false),
            "wrapWith" => t(2)
                .filter(
                    &format!("wrap(width={}, with={})", t(0).arg(), t(1).arg()),
                    Kind::Str,
                )
                .with_nullable(false),
            "plural" => T::sure(
                format!(
                    "plural(one={}, many={}, count={})",
                    t(0).arg(),
                    t(1).arg(),
                    t(2).arg()
                ),
                Kind::Str,
            ),
            "chunk" | "mustChunk" => t(1)
                .filter(&format!("chunk(size={})", t(0).arg()), Kind::List)
                .with_sure_list(),
            "pluck" => {
                let n = a.len();
                let maps = expr::list(&a[1..n].iter().map(|x| x.t.clone()).collect::<Vec<_>>());
                T::sure(
                    format!("pluck(key={}, maps={maps})", t(0).arg()),
                    Kind::List,
                )
                .with_sure_list()
            }
            "any" | "all" => T::sure(format!("{name}(values={})", list_of(0)), Kind::Bool),
            "biggest" => T::sure(format!("max(values={})", list_of(0)), Kind::Int),
            "maxf" | "minf" => T::sure(format!("{name}(values={})", list_of(0)), Kind::Float),
            _ => {
                let known = crate::convert::functions::is_helm_function(name);
                let message = if known {
                    format!(
                        "Helm's `{name}` has no ktera equivalent yet: write what it should give here"
                    )
                } else {
                    format!(
                        "Helm has no function `{name}`: it refuses the chart (\"function {name:?} not defined\")"
                    )
                };
                self.report(f.pos, Severity::Error, message);
                let _ = last;
                self.fail_expr(&format!("function {name} is not available"))
            }
        }
    }

    /// `print a b`: Go's `Sprint`, a space between two operands when neither is a string.
    fn print(&mut self, a: &[Arg]) -> T {
        if a.iter().all(|x| x.t.is_str()) {
            return match a {
                [] => T::string(""),
                [one] => one.t.clone(),
                many => concat(many.iter().map(|x| x.t.clone()).collect()),
            };
        }
        let items: Vec<T> = a.iter().map(|x| x.t.clone()).collect();
        T::sure(format!("print(values={})", expr::list(&items)), Kind::Str)
    }

    /// `printf`: the concatenation of its parts when the format has only `%s` and every
    /// argument is a string, else ktera's `printf`.
    fn printf(&mut self, _f: &Identifier, a: &[Arg]) -> T {
        let items: Vec<T> = a[1..].iter().map(|x| x.t.clone()).collect();
        if let Some(Expr::String(format)) = a[0].go
            && items.iter().all(T::is_str)
            && let Some(parts) = split_format(&format.value, items.len())
        {
            let mut pieces = Vec::new();
            let mut args = items.into_iter();
            for part in parts {
                match part {
                    Piece::Text(text) if !text.is_empty() => pieces.push(T::string(&text)),
                    Piece::Text(_) => {}
                    Piece::Arg => {
                        if let Some(arg) = args.next() {
                            pieces.push(arg);
                        }
                    }
                }
            }
            return match pieces.len() {
                0 => T::string(""),
                1 => pieces.remove(0),
                _ => concat(pieces),
            };
        }
        T::sure(
            format!(
                "printf(format={}, values={})",
                a[0].t.arg(),
                expr::list(&items)
            ),
            Kind::Str,
        )
    }

    /// `kindIs "map" x` as Tera's tests where one says the same.
    fn kind_is(&mut self, a: &[Arg]) -> T {
        let value = &a[1].t;
        let test = match a[0].go {
            Some(Expr::String(s)) => match s.value.as_str() {
                "map" => Some("map"),
                "string" => Some("string"),
                "bool" => Some("bool"),
                "slice" => Some("array"),
                _ => None,
            },
            _ => None,
        };
        match test {
            Some(test) => T::op(
                format!("{} is {test}", value.at(TEST + 1)),
                TEST,
                Kind::Bool,
            )
            .with_nullable(false),
            None => T::op(
                format!("kind_of(value={}) == {}", value.arg(), a[0].t.at(CMP + 1)),
                CMP,
                Kind::Bool,
            )
            .with_nullable(false),
        }
    }

    /// `dict "k" v ...`: a map literal when every key is a string literal.
    fn dict(&mut self, a: &[Arg]) -> T {
        let literal_keys = a
            .iter()
            .step_by(2)
            .all(|x| matches!(x.go, Some(Expr::String(_))));
        if literal_keys {
            let mut entries: Vec<(String, T)> = Vec::new();
            for pair in a.chunks(2) {
                let Some(Expr::String(key)) = pair[0].go else {
                    continue;
                };
                let value = pair
                    .get(1)
                    .map(|v| v.t.clone())
                    .unwrap_or_else(|| T::string(""));
                entries.retain(|(k, _)| *k != key.value);
                entries.push((key.value.clone(), value));
            }
            return T::sure(expr::map(&entries), Kind::Map);
        }
        let items: Vec<T> = a.iter().map(|x| x.t.clone()).collect();
        T::sure(format!("dict(pairs={})", expr::list(&items)), Kind::Map)
    }

    /// `tpl s ctx`: Go template text rendered at render time (docs/convert.md, section 15).
    fn tpl(&mut self, text: &T, context: &Arg) -> T {
        let at_root = matches!(
            context.go,
            Some(Expr::Dot(_)) if matches!(self.scope.dot, Dot::Root)
        ) || matches!(
            context.go,
            Some(Expr::Variable(v)) if v.name == "$" && v.fields.is_empty() && matches!(self.scope.dollar, Dot::Root)
        );
        let filter = if at_root && self.scope.component.is_none() && !self.model.tpl {
            "tpl(syntax=\"go\")".to_string()
        } else {
            format!("tpl(syntax=\"go\", context={})", context.t.arg())
        };
        text.filter(&filter, Kind::Str).with_nullable(false)
    }

    /// A function whose result changes on every render: a call that stops the render and
    /// names the value the user should set instead.
    fn random(&mut self, f: &Identifier, args: &[Expr]) -> T {
        let mut call = f.name.clone();
        for arg in args {
            call.push(' ');
            call.push_str(&crate::convert::print::expr_text(arg));
        }
        // What to ask for, as a Tera expression (a values path known only at render time, as
        // bitnami's `common.secrets.passwords.manage` has it), and as the report says it.
        let at = format!("the value at {}:{}", self.file, f.pos.line);
        let (value, said) = match (&self.supply_hint, &self.tested_value) {
            (Some(hint), _) => (expr::string_literal(hint), hint.clone()),
            (None, Some(tested)) if tested.starts_with('"') => {
                (tested.clone(), tested.trim_matches('"').to_string())
            }
            // An empty key at render time falls back to the place.
            (None, Some(tested)) => (
                format!("{tested} | default(value={})", expr::string_literal(&at)),
                format!("the value `{tested}` names at render time"),
            ),
            // In a define called only where a value was found empty: that value.
            (None, None) => match self
                .scope
                .component
                .as_ref()
                .and_then(|define| self.model.supply_hints.get(define))
            {
                Some(hint) => (expr::string_literal(hint), hint.clone()),
                None => (expr::string_literal(&at), at),
            },
        };
        self.report(
            f.pos,
            Severity::Attention,
            format!("`{call}` gives a new value on every render; ktera renders the same output every time: the converted chart stops here and asks for {said} to be set"),
        );
        T::atom(
            format!(
                "supply(value={value}, instead_of={})",
                expr::string_literal(&call)
            ),
            Kind::Any,
        )
    }

    // ---- templates ----

    fn include(&mut self, f: &Identifier, args: &[Expr], piped: Option<T>) -> T {
        let key = (self.file.clone(), f.pos.line, f.pos.column);
        let resolved = self.model.calls.get(&key).cloned().flatten();
        let uses = self.uses.clone();
        let (arg_expr, arg) = match (args.get(1), piped) {
            (Some(e), _) => (Some(e), self.expr(e)),
            (None, Some(p)) => (None, p),
            (None, None) => (None, T::nil()),
        };
        if let Some(name) = &resolved
            && let Some(component) = self.model.component(name)
            && matches!(component.signature, Signature::Root { .. })
            && matches!(arg_expr, Some(Expr::Dot(_) | Expr::Variable(_)))
        {
            // The callee finds the objects itself: passing `.` uses nothing here.
            self.uses = uses;
        }
        let name = resolved.or_else(|| match args.first() {
            Some(Expr::String(s)) => Some(s.value.clone()),
            _ => None,
        });
        let Some(name) = name else {
            // Chosen at render time: ktera's `include` finds the component (or file) by name.
            let name = match args.first() {
                Some(e) => self.expr(e),
                None => T::nil(),
            };
            return T::sure(
                format!("include(name={}, context={})", name.arg(), arg.arg()),
                Kind::Str,
            );
        };
        if self.model.component(&name).is_none()
            && let Some(converted) = self.model.converted_names.get(&name).cloned()
        {
            let is_root = matches!(arg_expr, Some(Expr::Dot(_)) | Some(Expr::Variable(_)))
                && arg.text == "Root";
            if !is_root {
                self.report(
                    f.pos,
                    Severity::Attention,
                    "this includes a template file with something other than the top-level object; the converted call renders it with the template's own objects",
                );
            }
            return T::sure(
                format!("include_file(name={})", expr::string_literal(&converted)),
                Kind::Str,
            );
        }
        self.component_call(f.pos, &name, &arg, arg_expr)
    }

    /// A call of the component a define became, passing `arg` as Go passes `.`.
    pub(super) fn component_call(
        &mut self,
        pos: Pos,
        name: &str,
        arg: &T,
        arg_expr: Option<&Expr>,
    ) -> T {
        let Some(component) = self.model.component(name) else {
            self.report(
                pos,
                Severity::Error,
                format!("no template is defined with the name {name:?}: Helm fails when this runs"),
            );
            return self.fail_expr(&format!("no template {name:?} is defined"));
        };
        let call = match &component.signature {
            Signature::Root { .. } => format!("<{} />", component.name),
            Signature::Arg => format!("<{} arg={} />", component.name, attribute(arg)),
            Signature::Dict { keys } => {
                let attributes = self.dict_attributes(keys, arg, arg_expr);
                format!("<{} {attributes} />", component.name)
            }
        };
        T::sure(call, Kind::Str)
    }

    /// The attributes of a call of a [`Signature::Dict`] component: one per key of a literal
    /// `dict`, the keys of the caller's own `.` passed on, or the map spread.
    fn dict_attributes(&mut self, keys: &[String], arg: &T, arg_expr: Option<&Expr>) -> String {
        if let Some(Expr::Pipeline(p)) = arg_expr
            && let [command] = p.commands.as_slice()
            && p.decl.is_empty()
            && let Some(Expr::Identifier(f)) = command.args.first()
            && f.name == "dict"
            && command.args[1..]
                .iter()
                .step_by(2)
                .all(|k| matches!(k, Expr::String(_)))
        {
            let mut attributes: Vec<(String, String)> = Vec::new();
            for pair in command.args[1..].chunks(2) {
                let Expr::String(key) = &pair[0] else {
                    continue;
                };
                let value = match pair.get(1) {
                    Some(v) => self.expr(v),
                    None => T::string(""),
                };
                attributes.retain(|(k, _)| *k != key.value);
                attributes.push((key.value.clone(), attribute(&value)));
            }
            // A key the dict leaves out is nil in Helm (loki's values call `loki.resourceName`
            // without the `suffix` its templates pass).
            if attributes.iter().all(|(k, _)| keys.contains(k)) {
                let nil = attribute(&T::nil());
                return keys
                    .iter()
                    .map(|k| {
                        let value = attributes.iter().find(|(a, _)| a == k).map(|(_, v)| v);
                        format!("{k}={}", value.unwrap_or(&nil))
                    })
                    .collect::<Vec<_>>()
                    .join(" ");
            }
        }
        if let Dot::Names(own) = &self.scope.dot
            && matches!(arg_expr, Some(Expr::Dot(_)))
            && own.len() == keys.len()
            && own.iter().all(|k| keys.contains(k))
        {
            return keys
                .iter()
                .map(|k| format!("{k}={{{k}}}"))
                .collect::<Vec<_>>()
                .join(" ");
        }
        format!("{{...{}}}", spaced(&arg.arg()))
    }

    // ---- changing data ----

    /// `set`, `unset`, `merge`, `mergeOverwrite`: Sprig changes the first argument in place;
    /// ktera's filters return a changed copy, so the variable that holds it is set again.
    fn mutation(&mut self, f: &Identifier, args: &[Expr], piped: Option<T>) -> T {
        let name = f.name.as_str();
        let mut a: Vec<T> = args.iter().map(|e| self.expr(e)).collect();
        a.extend(piped);
        // A merge source in parentheses or a variable that holds nothing is Go's nil, which
        // merges nothing (`($profile.global)`, `$found`); a bare missing field fails in Helm
        // as in ktera.
        if name.starts_with("merge") || name.starts_with("mustMerge") {
            for (t, e) in a.iter_mut().zip(args).skip(1) {
                let nil_is_fine = match e {
                    Expr::Pipeline(_) => true,
                    Expr::Variable(v) => v.name != "$" && v.fields.is_empty(),
                    _ => false,
                };
                if nil_is_fine {
                    *t = serialised(t);
                }
            }
        }
        let target = &a[0];
        let changed = match name {
            "set" => target.filter(
                &format!("insert(key={}, value={})", a[1].arg(), a[2].arg()),
                Kind::Map,
            ),
            "unset" => target.filter(&format!("remove(key={})", a[1].arg()), Kind::Map),
            _ => {
                let sources = expr::list(&a[1..]);
                let overwrite = if name.contains("Overwrite") {
                    ", overwrite=true"
                } else {
                    ""
                };
                target.filter(&format!("merge(sources={sources}{overwrite})"), Kind::Map)
            }
        }
        .with_nullable(false);
        let Some(place) = args.first().and_then(|e| self.place(e)) else {
            // A fresh value (`merge (dict) .Values.a`): nothing else holds it.
            return changed;
        };
        if place.variable == "Root"
            && place.fields.is_empty()
            && name == "set"
            && let Some(Expr::String(key)) = args.get(1)
        {
            self.scope.root_keys.insert(key.value.clone());
        }
        // A define that only sets keys on its caller's top-level object hands them back
        // (`setter_call`): the caller sees the change as in Helm.
        let setter_keys = self
            .scope
            .component
            .as_ref()
            .and_then(|c| self.model.setters.get(c));
        let handed_back = (place.variable == "Root" && place.fields.is_empty())
                && setter_keys.is_some()
            // A change inside `.Values` the component hands back whole.
            || place.variable == "Values"
                && setter_keys.is_some_and(|keys| keys.iter().any(|k| k == "Values"));
        if handed_back && place.variable == "Values" {
            self.report(
                f.pos,
                Severity::Note,
                format!(
                    "`{name}` changes {} in place; this define prints nothing, so its component hands the changed `.Values` back to the caller, which reads them afterwards as in Helm",
                    crate::convert::print::expr_text(&args[0]),
                ),
            );
        } else if place.shared && !handed_back && place.object && self.scope.component.is_none() {
            let mut changed = if place.variable == "Root" {
                Vec::new()
            } else {
                vec![place.variable.clone()]
            };
            changed.extend(place.fields.iter().cloned());
            if let ("set" | "unset", Some(Expr::String(key))) = (name, args.get(1)) {
                changed.push(key.value.clone());
            }
            let (severity, message) = self.seen_later(name, &args[0], &changed);
            self.report(f.pos, severity, message);
        } else if place.shared && !handed_back {
            self.report(
                f.pos,
                Severity::Attention,
                format!(
                    "`{name}` changes {} in place; in Helm the change is seen by {}, in the converted chart only by the rest of this {} (and the components it calls afterwards): check that nothing else relies on it",
                    crate::convert::print::expr_text(&args[0]),
                    if self.scope.component.is_some() { "the caller and every template rendered later" } else { "every template rendered later" },
                    if self.scope.component.is_some() { "component" } else { "template" }
                ),
            );
        }
        let keyword =
            if self.scope.loops > 0 && (place.global || place.fields.is_empty() && place.object) {
                "set_global"
            } else {
                "set"
            };
        let new_value = nest(&place.variable, &place.fields, changed);
        self.scope.pending.push(format!(
            "{keyword} {} = {}",
            place.variable,
            new_value.arg()
        ));
        // The variables this one shares its map with in Go (`$b := set $a ...`, and so on up
        // the chain) see the change.
        if place.fields.is_empty() {
            let mut current = place.variable.clone();
            let mut seen = vec![current.clone()];
            while let Some(alias) = self.alias_of(&current) {
                if seen.contains(&alias.tera) {
                    break;
                }
                // Declared outside the loop this runs in: only `set_global` reaches it.
                let local = self
                    .scope
                    .vars
                    .last()
                    .is_some_and(|s| s.iter().any(|(_, v)| v.tera == alias.tera));
                let keyword = self.set_keyword(alias.global || !local);
                self.scope
                    .pending
                    .push(format!("{keyword} {} = {}", alias.tera, current));
                seen.push(alias.tera.clone());
                current = alias.tera;
            }
        }
        // `set $ "Values" ...`: what follows reads the new values, as in Helm.
        if place.variable == "Root"
            && place.fields.is_empty()
            && name == "set"
            && self.scope.component.is_none()
            && matches!(args.get(1), Some(Expr::String(key)) if key.value == "Values")
        {
            self.scope
                .pending
                .push(format!("{keyword} Values = Root.Values"));
        }
        let mut t = T::name(place.variable.clone(), Kind::Map, false);
        for field in &place.fields {
            t = t.field(field);
        }
        t.nullable = false;
        t.kind = Kind::Map;
        t
    }

    /// What Helm's templates rendered after this one make of a change of `changed` (a path
    /// from the top-level object) made here, at the top level of a template: the report's
    /// severity and words (crate::convert::render_order).
    fn seen_later(&self, name: &str, target: &Expr, changed: &[String]) -> (Severity, String) {
        let later =
            crate::convert::render_order::later_readers(self.model.analysis, &self.file, changed);
        let what = format!(
            "`{name}` changes {} in place",
            crate::convert::print::expr_text(target)
        );
        if let Some(stage) = self.model.values_stages.get(&self.file)
            && changed.first().is_some_and(|c| c == "Values")
        {
            return (
                Severity::Note,
                format!(
                    "{what}; Helm renders this template before the chart's others, which read the changed values: it is converted to the values stage templates/{stage}, which ktera renders first and whose printed values the others read"
                ),
            );
        }
        const ORDER: &str = "Helm renders the templates one after another with one `.Values`, deepest path first, then in reverse name order";
        let shown = |files: &[String]| {
            let names: Vec<String> = files
                .iter()
                .map(|f| {
                    f.split_once('/')
                        .map_or(f.as_str(), |(_, rest)| rest)
                        .to_string()
                })
                .collect();
            names.join(", ")
        };
        let maybe: Vec<String> = later
            .maybe
            .iter()
            .map(|(f, why)| format!("{} ({why})", shown(std::slice::from_ref(f))))
            .collect();
        if !later.reading.is_empty() {
            let mut message = format!(
                "{what}; {ORDER}, and {} rendered after this one, {} it: the converted chart renders {} with the values as given (only the rest of this template sees the change), so {} output differs from Helm's where the value set here is not the one given",
                shown(&later.reading),
                if later.reading.len() == 1 {
                    "reads"
                } else {
                    "read"
                },
                if later.reading.len() == 1 {
                    "it"
                } else {
                    "them"
                },
                if later.reading.len() == 1 {
                    "its"
                } else {
                    "their"
                },
            );
            if !maybe.is_empty() {
                message.push_str(&format!("; {} may read it too", maybe.join(", ")));
            }
            message.push_str(": set the value in values.yaml, or compute it where it is read");
            (Severity::Attention, message)
        } else if !maybe.is_empty() {
            (
                Severity::Attention,
                format!(
                    "{what}; {ORDER}: of the templates rendered after this one, none reads it as far as the converter can tell, but {} may; the converted chart renders each with the values as given (only the rest of this template sees the change): check them",
                    maybe.join(", ")
                ),
            )
        } else {
            let none = match later.rendered {
                0 => "no template is rendered after this one".to_string(),
                1 => "the one template rendered after this one does not read it".to_string(),
                n => format!("none of the {n} templates rendered after this one reads it"),
            };
            (
                Severity::Note,
                format!(
                    "{what}; {ORDER}: {none}, so the converted chart, where only the rest of this template sees the change, renders the same"
                ),
            )
        }
    }

    /// Where the value of `e` is held, when something holds it: a variable (and fields of it).
    fn place(&self, e: &Expr) -> Option<Place> {
        let from_dot = |dot: &Dot, fields: &[String]| -> Option<Place> {
            match dot {
                Dot::Root => {
                    let (first, rest) = match fields.split_first() {
                        Some((f, rest)) => (f.as_str(), rest),
                        None => ("Root", &[][..]),
                    };
                    let object = ["Values", "Release", "Chart", "Capabilities", "Template"]
                        .contains(&first)
                        || first == "Root";
                    let (variable, rest) = if object {
                        (first.to_string(), rest.to_vec())
                    } else {
                        ("Root".to_string(), fields.to_vec())
                    };
                    Some(Place {
                        variable,
                        fields: rest,
                        shared: true,
                        global: false,
                        object: true,
                    })
                }
                Dot::Names(keys) => {
                    let (first, rest) = fields.split_first()?;
                    keys.contains(first).then(|| Place {
                        variable: first.clone(),
                        fields: rest.to_vec(),
                        shared: true,
                        global: false,
                        object: false,
                    })
                }
                Dot::Value(t) if t.path && names::is_identifier(&t.text) => Some(Place {
                    variable: t.text.clone(),
                    fields: fields.to_vec(),
                    shared: true,
                    global: false,
                    object: false,
                }),
                Dot::Value(_) => None,
            }
        };
        match e {
            Expr::Dot(_) => from_dot(&self.scope.dot, &[]),
            Expr::Field(f) => from_dot(&self.scope.dot, &f.names),
            Expr::Variable(v) if v.name == "$" => from_dot(&self.scope.dollar, &v.fields),
            Expr::Variable(v) => {
                let var = self.lookup(&v.name)?;
                Some(Place {
                    variable: var.tera.clone(),
                    fields: v.fields.clone(),
                    shared: false,
                    global: var.global,
                    object: false,
                })
            }
            _ => None,
        }
    }
}

struct Place {
    /// The Tera variable to set again.
    variable: String,
    /// The fields of it that hold the changed map.
    fields: Vec<String>,
    /// It is data others see in Helm: values, the top-level object, a define's argument.
    shared: bool,
    /// Declared `set_global` (changed inside a loop it is not declared in).
    global: bool,
    /// One of the template's objects (`Values`, `Root`).
    object: bool,
}

/// `variable` with `fields` replaced by `value`: `d | insert(key="a", value=(d.a | insert(...)))`.
fn nest(variable: &str, fields: &[String], value: T) -> T {
    if fields.is_empty() {
        return value;
    }
    let mut base = T::name(variable, Kind::Map, false);
    let mut bases = vec![base.clone()];
    for f in &fields[..fields.len() - 1] {
        base = base.field(f);
        bases.push(base.clone());
    }
    let mut inner = value;
    for (field, holder) in fields.iter().zip(bases).rev() {
        inner = holder.filter(
            &format!(
                "insert(key={}, value={})",
                expr::string_literal(field),
                inner.arg()
            ),
            Kind::Map,
        );
    }
    inner
}

/// A value to serialise: a missing one is Go's nil, which `toYaml` writes `null`.
fn serialised(x: &T) -> T {
    if x.nullable && x.kind != Kind::Nil {
        x.filter("or_none", x.kind)
    } else {
        x.clone()
    }
}

/// `x` is nil in Go: null, or missing.
fn is_nil(x: &T) -> String {
    if x.kind == Kind::Nil {
        return "true".to_string();
    }
    format!("({0} is none or {0} is undefined)", x.at(TEST + 1))
}

/// An integer operand for Sprig's arithmetic, which converts each with `int64`.
fn int_operand(t: &T) -> T {
    if t.is_int() {
        t.clone()
    } else {
        t.filter("to_int", Kind::Int).with_nullable(false)
    }
}

/// Strings joined with `~`.
fn concat(parts: Vec<T>) -> T {
    let text: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, p)| p.at(if i == 0 { MUL } else { MUL + 1 }))
        .collect();
    T::op(text.join(" ~ "), MUL, Kind::Str).with_nullable(false)
}

enum Piece {
    Text(String),
    Arg,
}

/// A `printf` format with `%s` verbs only (and `%%`), split into text and arguments; `None`
/// when it has other verbs or a different number of arguments.
fn split_format(format: &str, args: usize) -> Option<Vec<Piece>> {
    let mut pieces = Vec::new();
    let mut text = String::new();
    let mut chars = format.chars();
    let mut count = 0;
    while let Some(c) = chars.next() {
        if c != '%' {
            text.push(c);
            continue;
        }
        match chars.next()? {
            '%' => text.push('%'),
            's' => {
                pieces.push(Piece::Text(std::mem::take(&mut text)));
                pieces.push(Piece::Arg);
                count += 1;
            }
            _ => return None,
        }
    }
    pieces.push(Piece::Text(text));
    (count == args).then_some(pieces)
}

/// A component attribute value: `{expr}`, with spaces where the expression itself starts or
/// ends with a brace (`}}` would end the tag).
fn attribute(t: &T) -> String {
    format!("{{{}}}", spaced(&t.arg()))
}

fn spaced(text: &str) -> String {
    if text.starts_with('{') || text.ends_with('}') {
        format!(" {text} ")
    } else {
        text.to_string()
    }
}
