//! The system browser: `$BROWSER` first, as many command-line tools honour it, then each front
//! end's own opener (the app's opener plugin, `connmgr`'s `open`).

use std::process::{Command, Stdio};

/// Opens `url` with the program `$BROWSER` names, when it is set: `None` when it is not, so
/// the caller uses its own opener. The program's output is discarded; it is not waited for.
pub fn open_with_env_browser(url: &str) -> Option<Result<(), String>> {
    let program = std::env::var_os("BROWSER").filter(|b| !b.is_empty())?;
    Some(
        Command::new(&program)
            .arg(url)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map(|_| ())
            .map_err(|e| format!("{} could not be started: {e}", program.to_string_lossy())),
    )
}

/// The address as a QR code, drawn as an SVG document (dark modules on a light ground, with
/// the quiet zone), for a phone to scan; `None` when it is too long for a QR code.
pub fn qr_svg(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(160, 160)
            .dark_color(qrcode::render::svg::Color("#000000"))
            .light_color(qrcode::render::svg::Color("#ffffff"))
            .build(),
    )
}

/// The address as a QR code drawn with half-block characters, two rows of modules a line, for
/// a terminal; `None` when it is too long for a QR code.
pub fn qr_text(text: &str) -> Option<String> {
    let code = qrcode::QrCode::new(text.as_bytes()).ok()?;
    Some(
        code.render::<qrcode::render::unicode::Dense1x2>()
            .dark_color(qrcode::render::unicode::Dense1x2::Light)
            .light_color(qrcode::render::unicode::Dense1x2::Dark)
            .build(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_becomes_a_qr_code_in_both_forms() {
        let url = "https://id.example.com/device?user_code=WDJB-MJHT";
        let svg = qr_svg(url).expect("svg");
        assert!(svg.contains("<svg") && svg.contains("#000000"), "{svg}");
        let text = qr_text(url).expect("text");
        assert!(text.lines().count() > 10);
        assert!(text.chars().any(|c| c == '▀' || c == '▄' || c == '█'));
        assert!(
            qr_svg(&"x".repeat(8000)).is_none(),
            "too long for any QR code"
        );
    }
}
