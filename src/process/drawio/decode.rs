//! From a `data-mxgraph` attribute to `<mxGraphModel>` XML: HTML entities, JSON, the
//! `<mxfile>`, and each `<diagram>`'s text, which is either plain XML (newer files) or
//! base64 of raw-deflated, URL-encoded XML. Every step is bounded and fails with a reason.

use std::io::Read;

use base64::Engine as _;

/// A diagram that inflates past this is refused rather than filling memory.
pub const MAX_INFLATED: usize = 16 * 1024 * 1024;
/// XML with more nodes than this is refused (real diagrams hold a few thousand).
const MAX_XML_NODES: u32 = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("data-mxgraph is not JSON: {0}")]
    Json(String),
    #[error("data-mxgraph has no `xml` member")]
    NoXml,
    #[error("the diagram is not valid XML: {0}")]
    Xml(String),
    #[error("the diagram text is not valid base64: {0}")]
    Base64(String),
    #[error("the diagram text does not inflate: {0}")]
    Inflate(String),
    #[error("the diagram inflates past {limit} bytes")]
    TooLarge { limit: usize },
    #[error("the inflated diagram is not URL-encoded UTF-8 text")]
    Encoding,
    #[error("the drawing holds no diagram")]
    Empty,
}

/// One page of a drawing (draw.io files may hold several).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiagramPage {
    pub name: Option<String>,
    /// The `<mxGraphModel>` element as XML text.
    pub model: String,
}

/// Decodes a `data-mxgraph` attribute value exactly as written in the page.
pub fn decode_attribute(attribute: &str) -> Result<Vec<DiagramPage>, DecodeError> {
    let json = html_escape::decode_html_entities(attribute);
    let value: serde_json::Value = serde_json::from_str(&json).map_err(|e| DecodeError::Json(e.to_string()))?;
    let xml = value.get("xml").and_then(serde_json::Value::as_str).ok_or(DecodeError::NoXml)?;
    decode_drawing(xml)
}

/// Decodes an `<mxfile>` (or a bare `<mxGraphModel>`) into its pages.
pub fn decode_drawing(xml: &str) -> Result<Vec<DiagramPage>, DecodeError> {
    let doc = parse_xml(xml)?;
    let root = doc.root_element();
    match root.tag_name().name() {
        "mxGraphModel" => Ok(vec![DiagramPage { name: None, model: xml.to_string() }]),
        "mxfile" => {
            let mut pages = Vec::new();
            for diagram in root.children().filter(|n| n.has_tag_name("diagram")) {
                let name = diagram.attribute("name").map(str::to_string);
                let model = match diagram.children().find(|n| n.has_tag_name("mxGraphModel")) {
                    Some(model) => xml[model.range()].to_string(),
                    None => inflate_text(diagram.text().unwrap_or(""))?,
                };
                pages.push(DiagramPage { name, model });
            }
            if pages.is_empty() {
                Err(DecodeError::Empty)
            } else {
                Ok(pages)
            }
        }
        other => Err(DecodeError::Xml(format!("the root element is <{other}>, not <mxfile> or <mxGraphModel>"))),
    }
}

/// `<diagram>` text: base64, then raw deflate (no zlib header), then URL decoding.
pub fn inflate_text(text: &str) -> Result<String, DecodeError> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    if compact.is_empty() {
        return Err(DecodeError::Empty);
    }
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(compact.as_bytes())
        .map_err(|e| DecodeError::Base64(e.to_string()))?;
    let mut inflated = Vec::new();
    flate2::read::DeflateDecoder::new(bytes.as_slice())
        .take(MAX_INFLATED as u64 + 1)
        .read_to_end(&mut inflated)
        .map_err(|e| DecodeError::Inflate(e.to_string()))?;
    if inflated.len() > MAX_INFLATED {
        return Err(DecodeError::TooLarge { limit: MAX_INFLATED });
    }
    let text = if inflated.first() == Some(&b'<') {
        String::from_utf8(inflated).map_err(|_| DecodeError::Encoding)?
    } else {
        percent_encoding::percent_decode(&inflated).decode_utf8().map_err(|_| DecodeError::Encoding)?.into_owned()
    };
    parse_xml(&text)?;
    Ok(text)
}

pub(crate) fn parse_xml(xml: &str) -> Result<roxmltree::Document<'_>, DecodeError> {
    let options = roxmltree::ParsingOptions { allow_dtd: false, nodes_limit: MAX_XML_NODES, ..Default::default() };
    roxmltree::Document::parse_with_options(xml, options).map_err(|e| DecodeError::Xml(e.to_string()))
}

/// The inverse of [`inflate_text`]: what draw.io writes. Tests and fixtures use it to make
/// their own payloads.
pub fn deflate_text(xml: &str) -> String {
    use std::io::Write;
    let encoded = percent_encoding::utf8_percent_encode(xml, URI_COMPONENT).to_string();
    let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(encoded.as_bytes()).expect("writing to memory");
    let bytes = encoder.finish().expect("writing to memory");
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// What JavaScript's `encodeURIComponent` escapes.
const URI_COMPONENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'!')
    .remove(b'~')
    .remove(b'*')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')');

/// A whole `data-mxgraph` attribute value for `model` (HTML-escaped JSON holding an
/// `<mxfile>` with one compressed diagram), as draw.io's "embed HTML" writes it.
pub fn encode_attribute(model: &str) -> String {
    let mxfile = format!("<mxfile><diagram id=\"d\" name=\"Page-1\">{}</diagram></mxfile>", deflate_text(model));
    let json = serde_json::json!({"highlight": "#0000ff", "nav": true, "xml": mxfile}).to_string();
    html_escape::encode_double_quoted_attribute(&json).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const MODEL: &str = r#"<mxGraphModel><root><mxCell id="0"/><mxCell id="1" parent="0"/></root></mxGraphModel>"#;

    #[test]
    fn round_trip_through_the_compressed_form() {
        let pages = decode_attribute(&encode_attribute(MODEL)).unwrap();
        assert_eq!(pages.len(), 1);
        assert_eq!(pages[0].model, MODEL);
        assert_eq!(pages[0].name.as_deref(), Some("Page-1"));
    }

    #[test]
    fn plain_xml_inside_the_diagram() {
        let xml = format!("<mxfile><diagram name=\"A\">{MODEL}</diagram></mxfile>");
        assert_eq!(decode_drawing(&xml).unwrap()[0].model, MODEL);
        assert_eq!(decode_drawing(MODEL).unwrap()[0].model, MODEL);
    }

    #[test]
    fn bad_payloads_are_errors() {
        assert!(matches!(decode_attribute("{not json"), Err(DecodeError::Json(_))));
        assert_eq!(decode_attribute("{&quot;nav&quot;:true}"), Err(DecodeError::NoXml));
        assert!(matches!(inflate_text("!!!not base64"), Err(DecodeError::Base64(_))));
        assert!(matches!(inflate_text("aGVsbG8="), Err(DecodeError::Inflate(_))));
        assert!(matches!(decode_drawing("<mxfile><diagram>"), Err(DecodeError::Xml(_))));
        assert_eq!(decode_drawing("<mxfile></mxfile>"), Err(DecodeError::Empty));
    }

    #[test]
    fn a_deflate_bomb_is_refused() {
        use std::io::Write;
        let mut encoder = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b'a'; 1024 * 1024];
        for _ in 0..(MAX_INFLATED / zeros.len() + 2) {
            encoder.write_all(&zeros).unwrap();
        }
        let text = base64::engine::general_purpose::STANDARD.encode(encoder.finish().unwrap());
        assert_eq!(inflate_text(&text), Err(DecodeError::TooLarge { limit: MAX_INFLATED }));
    }
}
