//! Markup for the panels that never change once shown (failure cards, warnings, the TLS panel,
//! the transcript). They are written as one escaped string and set as one element's
//! `innerHTML`: a typed view per element would cost the page more than all of their words do.
//!
//! Safe by construction: tag and attribute names are `'static` (ours), and every value and
//! every text, much of it a mail server's own words, goes through [`escape`].

/// A growing HTML fragment.
#[derive(Default)]
pub struct Html(String);

impl Html {
    /// `<tag name="value"…>`. An empty value leaves its attribute out; a boolean attribute
    /// takes its own name as its value (`open="open"`).
    pub fn open(&mut self, tag: &'static str, attrs: &[(&'static str, &str)]) -> &mut Html {
        self.0.push('<');
        self.0.push_str(tag);
        for (name, value) in attrs {
            if value.is_empty() {
                continue;
            }
            self.0.push(' ');
            self.0.push_str(name);
            self.0.push_str("=\"");
            escape(&mut self.0, value);
            self.0.push('"');
        }
        self.0.push('>');
        self
    }

    pub fn close(&mut self, tag: &'static str) -> &mut Html {
        self.0.push_str("</");
        self.0.push_str(tag);
        self.0.push('>');
        self
    }

    pub fn text(&mut self, text: &str) -> &mut Html {
        escape(&mut self.0, text);
        self
    }

    /// `<tag attrs>text</tag>`.
    pub fn el(
        &mut self,
        tag: &'static str,
        attrs: &[(&'static str, &str)],
        text: &str,
    ) -> &mut Html {
        self.open(tag, attrs).text(text).close(tag)
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

/// Appends `s` with the characters that could end a text or an attribute value escaped.
fn escape(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hostile_reply_stays_text() {
        let mut h = Html::default();
        h.el(
            "pre",
            &[("data-x", "\"><script>alert(1)</script>")],
            "NO <img src=x onerror='alert(1)'> & more",
        );
        assert_eq!(
            h.into_string(),
            "<pre data-x=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">\
             NO &lt;img src=x onerror=&#39;alert(1)&#39;&gt; &amp; more</pre>"
        );
    }

    #[test]
    fn empty_values_leave_their_attribute_out() {
        let mut h = Html::default();
        h.open("details", &[("open", ""), ("class", "a b")])
            .text("ø ✓")
            .close("details");
        assert_eq!(h.into_string(), "<details class=\"a b\">ø ✓</details>");
    }
}
