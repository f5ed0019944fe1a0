//! Semantic checks: what a schema cannot say about one object alone, or about objects together.

mod identity;
mod images;
mod ingress;
mod names;
mod objects;
mod pods;
mod ports;
mod practices;
mod references;
mod secret_sources;
mod services;
mod syntax;

use crate::lint::finding::Findings;
use crate::manifest::Manifest;

pub fn check(manifests: &[Manifest], default_namespace: &str, findings: &mut Findings) {
    let objects = objects::Objects::new(manifests, default_namespace);
    identity::check(manifests, &objects, findings);
    names::check(&objects, findings);
    pods::check(&objects, findings);
    images::check(&objects, findings);
    ports::check(&objects, findings);
    services::check(&objects, findings);
    ingress::check(&objects, findings);
    references::check(&objects, findings);
    practices::check(&objects, findings);
}
