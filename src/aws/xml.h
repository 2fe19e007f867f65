// Just enough XML for AWS responses: the text of the first <Tag>...</Tag> element, entities
// decoded. AWS response documents are flat and machine-written, so no parser is needed for
// the few values tracklake reads (error Code/Message, UploadId, STS credentials).
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace tracklake::aws {

std::optional<std::string> XmlText(std::string_view xml, std::string_view tag);
// &, <, >, " and ' escaped, for values written into request documents.
std::string XmlEscape(std::string_view text);

}  // namespace tracklake::aws
