// Share-link fragments: parse, format, round trip, hostile values.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "app/url_state.h"

using nlohmann::json;

static json parse(const std::string& f, std::string& notice) { return json::parse(url_state_parse(f, notice)); }

TEST(UrlState, ParsesAReadableLink) {
    std::string notice;
    json j = parse("#v=1&text=I%20have%20a%20dog&view=matrix&layer=1&head=2&token=3&temperature=0.8&top_p=0.95", notice);
    EXPECT_EQ(notice, "");
    EXPECT_EQ(j["text"], "I have a dog");
    EXPECT_EQ(j["view"], "matrix");
    EXPECT_EQ(j["layer"], 1);
    EXPECT_EQ(j["head"], 2);
    EXPECT_EQ(j["token"], 3);
    EXPECT_FLOAT_EQ(j["temperature"].get<float>(), 0.8f);
}

TEST(UrlState, BadValuesAreDroppedWithANotice) {
    std::string notice;
    json j = parse("#v=1&layer=-1&head=abc&temperature=NaN&seed=%zz&text=%E0%A4&unknown=1", notice);
    EXPECT_FALSE(j.contains("layer"));
    EXPECT_FALSE(j.contains("head"));
    EXPECT_FALSE(j.contains("temperature"));
    EXPECT_FALSE(j.contains("seed"));
    EXPECT_FALSE(j.contains("unknown"));
    EXPECT_EQ(j["text"], "\xEF\xBF\xBD");  // a cut UTF-8 sequence becomes U+FFFD
    for (const char* k : {"layer", "head", "temperature", "seed", "text"}) EXPECT_NE(notice.find(k), std::string::npos) << k;
}

TEST(UrlState, FormatThenParseRoundTrips) {
    json st = {{"text", "a & b = c?\n\nTurn 2: caf\xC3\xA9 \xF0\x9F\x90\xB6"}, {"view", "compare"}, {"layer", 3}, {"head", 0},
               {"locked", 5}, {"sampling", {{"temperature", 0.7}, {"top_k", 40}, {"top_p", 0.9}, {"seed", 7}}},
               {"compare", "She donated to a good cause."}, {"aggregate", "rollout"}};
    std::string f = url_state_format(st.dump()), notice;
    EXPECT_EQ(f.rfind("#v=1&text=a%20%26%20b%20%3D%20c%3F", 0), 0u) << f;
    json j = parse(f, notice);
    EXPECT_EQ(notice, "");
    EXPECT_EQ(j["text"], st["text"]);
    EXPECT_EQ(j["view"], "compare");
    EXPECT_EQ(j["layer"], 3);
    EXPECT_EQ(j["token"], 5);
    EXPECT_EQ(j["top_k"], 40);
    EXPECT_EQ(j["seed"], 7);
    EXPECT_EQ(j["aggregate"], 1);
    EXPECT_FALSE(j.contains("compare"));  // the default sentence is left out of links
}

// A taught model's learning rate comes back as the same float teaching uses, also when the state holds a
// double between two floats (9 digits of the double would round to the neighbouring float; fuzz finding
// tests/fuzz/crashes/fuzz_url_state-lr-double-rounding.bin).
TEST(UrlState, TeachingRateComesBackAsTheSameFloat) {
    for (double lr : {1e-4, 0.049549994987, 3e-3, 0.123456789012}) {
        json st = {{"text", "hi"}, {"modified", true}, {"teach", {{"text", "a b a b"}, {"done", 5}, {"lr", lr}}}};
        std::string notice;
        const json again = parse(url_state_format(st.dump()), notice);
        EXPECT_EQ((float)again.value("lr", 0.0), (float)lr) << lr;
    }
}
