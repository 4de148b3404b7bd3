//! A connection made from a provider preset: each field's value checked against the preset's
//! pattern, then the endpoints, issuer, valid domain names and test path filled from its
//! templates, so they always follow what was typed.

use super::{Validator, field};
use crate::model::connection::{ConnectionSettings, Provider};
use crate::presets;

impl Validator {
    /// Fills `s` from its preset. `false` when the preset or a value is wrong: the endpoints
    /// are then not worked out (each wrong value has its error).
    pub(super) fn preset(&mut self, s: &mut ConnectionSettings) -> bool {
        let Some(choice) = s.preset.as_mut() else {
            return true;
        };
        if s.provider != Provider::Generic {
            s.preset = None;
            return true;
        }
        let Some(preset) = presets::get(&choice.id) else {
            self.error(
                field::PRESET,
                format!(
                    "This version knows no provider preset \u{201c}{}\u{201d}: choose another, or Generic OAuth 2.0.",
                    choice.id
                ),
            );
            return false;
        };
        // Only the preset's fields, each trimmed.
        choice
            .values
            .retain(|id, _| preset.fields.iter().any(|f| &f.id == id));
        let mut ok = true;
        for f in &preset.fields {
            let value = choice.values.entry(f.id.clone()).or_default();
            *value = value.trim().to_owned();
            if let Some(why) = presets::check_value(f, value) {
                self.error(&format!("{}.{}", field::PRESET, f.id), why);
                ok = false;
            }
        }
        if !ok {
            return false;
        }
        let values = &choice.values;
        let fill = |template: &str| presets::expand(template, values);
        s.authorization_url = fill(&preset.authorization_url);
        s.token_url = fill(&preset.token_url);
        s.revocation_url = fill(&preset.revocation_url);
        s.device_authorization_url = fill(&preset.device_authorization_url);
        s.api_base_url = fill(&preset.api_base_url);
        s.issuer = fill(&preset.issuer);
        s.test_request.path = fill(&s.test_request.path);
        for domain in &preset.valid_domains {
            let domain = fill(domain);
            if !s
                .valid_domains
                .iter()
                .any(|d| d.trim().eq_ignore_ascii_case(&domain))
            {
                s.valid_domains.push(domain);
            }
        }
        true
    }
}
