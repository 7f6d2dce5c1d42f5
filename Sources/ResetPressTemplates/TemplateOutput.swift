/// The kind of document a template renders into; it decides how escaped placeholders are inserted.
public enum TemplateOutput: String, Sendable, Hashable, CaseIterable {
    /// Plain text: every value is inserted as is.
    case text
    /// HTML: values of `{{ NAME }}` and `<<NAME>>` are HTML-escaped; `{* name *}` values are inserted as is.
    case html
}
