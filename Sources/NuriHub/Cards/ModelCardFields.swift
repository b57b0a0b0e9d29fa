/// The searchable fields of a model card's YAML front matter.
public struct ModelCardFields: Sendable, Equatable {
    public var license: String?
    public var languages: [String]
    public var tags: [String]
    /// Lineage: the repositories this one was trained or quantised from (`base_model`).
    public var baseModels: [String]
    public var pipelineTag: String?
    public var libraryName: String?
    /// The whole front matter as JSON text (for `cardData`), nil without a card.
    public var json: String?

    public static let empty = ModelCardFields(license: nil, languages: [], tags: [], baseModels: [], pipelineTag: nil, libraryName: nil, json: nil)

    public init(license: String?, languages: [String], tags: [String], baseModels: [String], pipelineTag: String?, libraryName: String?, json: String?) {
        self.license = license
        self.languages = languages
        self.tags = tags
        self.baseModels = baseModels
        self.pipelineTag = pipelineTag
        self.libraryName = libraryName
        self.json = json
    }
}
