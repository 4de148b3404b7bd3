//! The redirect port as the admin typed it.

/// The redirect port as typed: empty is `None` (a random free port each sign-in), a number
/// from 1 to 65535 is that port (whether it may be used is `validate`'s to say), anything else
/// is the message to show at the field.
pub fn redirect_port_from_text(text: &str) -> Result<Option<u16>, String> {
    const CHOOSE: &str =
        "enter a number from 1024 to 65535, or leave the field empty for a random free port";
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if !text.chars().all(|c| c.is_ascii_digit()) {
        let shown: String = text.chars().take(20).collect();
        return Err(format!("\u{201c}{shown}\u{201d} is not a port: {CHOOSE}."));
    }
    match text.parse::<u16>() {
        Ok(0) => Err(format!("Port 0 cannot be registered: {CHOOSE}.")),
        Ok(port) => Ok(Some(port)),
        Err(_) => Err(format!(
            "There is no port {}: {CHOOSE}.",
            text.trim_start_matches('0')
                .chars()
                .take(20)
                .collect::<String>()
        )),
    }
}
