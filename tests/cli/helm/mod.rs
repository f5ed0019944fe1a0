//! ktera against real Helm: fixtures recorded by Helm 3 (scripts/gen-helm-*), one module per
//! part of Helm's behaviour.

mod cases;
mod chart_yaml;
mod functions;
mod order;
mod show_only;
mod subcharts;
mod values;
