#include "aws/xml.h"

#include <gtest/gtest.h>

namespace tracklake::aws {
namespace {

TEST(XmlText, ReadsTheFirstElementAndDecodesEntities) {
  const std::string xml =
      "<?xml version=\"1.0\"?><Error><Code>SlowDown</Code><Message>Please &amp; reduce &lt;rate&gt;"
      "</Message><Code>Second</Code></Error>";
  EXPECT_EQ(XmlText(xml, "Code"), "SlowDown");
  EXPECT_EQ(XmlText(xml, "Message"), "Please & reduce <rate>");
  EXPECT_EQ(XmlText(xml, "RequestId"), std::nullopt);
  EXPECT_EQ(XmlText("<Code>unterminated", "Code"), std::nullopt);
}

TEST(XmlEscape, EscapesMarkupCharacters) {
  EXPECT_EQ(XmlEscape("\"a\"&<b>'"), "&quot;a&quot;&amp;&lt;b&gt;&apos;");
  EXPECT_EQ(XmlText("<E>" + XmlEscape("x&y<z") + "</E>", "E"), "x&y<z");
}

}  // namespace
}  // namespace tracklake::aws
