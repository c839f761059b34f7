//! Small browser helpers: timers, focusing an input by id, the address bar, the clipboard,
//! formatting times.

use time::OffsetDateTime;
use wasm_bindgen::JsCast;

/// Waits `ms` milliseconds.
pub async fn sleep(ms: u32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let delay = i32::try_from(ms).unwrap_or(i32::MAX);
            // If the timer cannot be set the wait simply ends early.
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, delay);
        }
    });
    // A timer promise only resolves; an error would mean the page is going away.
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Focuses the first element found among `ids` and scrolls it into view. Returns whether one
/// was found.
pub fn focus_first(ids: &[String]) -> bool {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return false;
    };
    for id in ids {
        if let Some(el) = doc.get_element_by_id(id) {
            let opts = web_sys::ScrollIntoViewOptions::new();
            opts.set_block(web_sys::ScrollLogicalPosition::Center);
            el.scroll_into_view_with_scroll_into_view_options(&opts);
            if let Ok(html) = el.dyn_into::<web_sys::HtmlElement>() {
                // Focus can fail on hidden elements; scrolling already showed the field.
                let _ = html.focus();
            }
            return true;
        }
    }
    false
}

/// Focuses the first input, select or textarea inside the element with id `container`.
pub fn focus_first_in(container: &str) {
    let found = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(container))
        .and_then(|el| el.query_selector("input, select, textarea").ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(el) = found {
        // Focus only helps keyboard users along; nothing to do if it fails.
        let _ = el.focus();
    }
}

/// The natural size of the image at `url` as this browser loads and decodes it, or `None`
/// when it cannot. Sends no referrer: the portal's addresses (offer ids) are not the image
/// host's business.
pub async fn image_size(url: &str) -> Option<(u32, u32)> {
    let img = web_sys::HtmlImageElement::new().ok()?;
    img.set_referrer_policy("no-referrer");
    img.set_src(url);
    wasm_bindgen_futures::JsFuture::from(img.decode())
        .await
        .ok()?;
    Some((img.natural_width(), img.natural_height()))
}

/// Loads the page again from the server (`location.reload()`).
pub fn reload() {
    if let Some(w) = web_sys::window() {
        // Nothing else to try if the browser refuses.
        let _ = w.location().reload();
    }
}

/// The host name the app was loaded from (`location.hostname`).
pub fn location_host() -> Option<String> {
    web_sys::window()?.location().hostname().ok()
}

/// The path of the page (`location.pathname`).
pub fn location_path() -> Option<String> {
    web_sys::window()?.location().pathname().ok()
}

/// The fragment of the page's address, with its `#` (`location.hash`).
pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// Removes the fragment from the address bar and the current history entry, keeping its
/// state (a one-time link's token must not stay in the history once used).
pub fn drop_fragment() {
    let Some(w) = web_sys::window() else {
        return;
    };
    let location = w.location();
    let path = format!(
        "{}{}",
        location.pathname().unwrap_or_default(),
        location.search().unwrap_or_default()
    );
    if let Ok(history) = w.history() {
        let state = history.state().unwrap_or(wasm_bindgen::JsValue::NULL);
        // Without history the token stays in the address bar; it is used up by now anyway.
        let _ = history.replace_state_with_url(&state, "", Some(&path));
    }
}

/// Copies text to the clipboard (`navigator.clipboard.writeText`); whether it worked.
/// Called through `Reflect` since the Clipboard API needs no more of web-sys for one call.
pub async fn copy_text(text: &str) -> bool {
    use js_sys::{Function, Promise, Reflect};
    let Some(navigator) = web_sys::window().map(|w| w.navigator()) else {
        return false;
    };
    let Ok(clipboard) = Reflect::get(&navigator, &"clipboard".into()) else {
        return false;
    };
    let write = Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok());
    let Some(promise) = write
        .and_then(|f| f.call1(&clipboard, &text.into()).ok())
        .and_then(|p| p.dyn_into::<Promise>().ok())
    else {
        return false;
    };
    wasm_bindgen_futures::JsFuture::from(promise).await.is_ok()
}

/// Selects the text of the input with this id (so it can be copied by hand).
pub fn select_input(id: &str) {
    if let Some(input) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|el| el.dyn_into::<web_sys::HtmlInputElement>().ok())
    {
        input.select();
    }
}

/// The browser's clock, in milliseconds since 1970 (UTC).
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Focuses the element with this id after the next render (a message that just appeared).
pub fn focus_after_render(id: String) {
    leptos::prelude::request_animation_frame(move || {
        focus_first(&[id]);
    });
}

/// Sets the document's language attribute.
pub fn set_document_lang(tag: &str) {
    if let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    {
        // Only affects screen readers' pronunciation; nothing to do if it fails.
        let _ = root.set_attribute("lang", tag);
    }
}

/// `2026-11-25 08:47 UTC`. Written by hand: `time`'s formatting machinery costs the bundle
/// about 20 KB for this one line.
pub fn format_time(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02} UTC",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_shown_in_utc_to_the_minute() {
        let t = time::macros::datetime!(2026-11-25 17:47:59 +09:00);
        assert_eq!(format_time(t), "2026-11-25 08:47 UTC");
        let t = time::macros::datetime!(0999-01-02 03:04 UTC);
        assert_eq!(format_time(t), "0999-01-02 03:04 UTC");
    }
}
