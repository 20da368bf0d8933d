// Reading the language data (plugins/autoreply-faq/language/): the table the words
// are kept in (string_table.hpp), the file and field reader (data_file.hpp), and each
// loader on small files written here, with known answers, damaged lines and missing
// files. The real Debian data is in language_test.cpp.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <string>
#include <vector>

#include "language/chinese_segmenter.hpp"
#include "language/corpus_idf.hpp"
#include "language/data_file.hpp"
#include "language/english_stemmer.hpp"
#include "language/string_table.hpp"
#include "language/synonyms.hpp"
#include "language/word_usage.hpp"
#include "language_fixture.hpp"

using namespace switchboard::faq;
using faq_test::Dir;

TEST_CASE("string table: every word added is found with its value, no other is", "[data]") {
  StringTable<int> table;
  // Past several growths of the table, with words that share long prefixes.
  for (int i = 0; i < 100000; ++i) table["word" + std::to_string(i)] = i;
  table["退款"] = -1;
  table[""] = -2;
  REQUIRE(table.size() == 100002);
  for (int i = 0; i < 100000; i += 7) {
    const int* found = table.find("word" + std::to_string(i));
    REQUIRE(found);
    CHECK(*found == i);
  }
  CHECK(*table.find("退款") == -1);
  CHECK(*table.find("") == -2);
  CHECK_FALSE(table.contains("word100000"));
  CHECK_FALSE(table.contains("word"));
  CHECK_FALSE(table.contains("word1 "));
  CHECK_FALSE(table.contains("退"));
  // A word looked up from another buffer than it was added from.
  const std::string text = "the word42 here";
  CHECK(*table.find(std::string_view(text).substr(4, 6)) == 42);
}

TEST_CASE("string table: the first value stays, [] adds up, entries in the order added", "[data]") {
  StringTable<double> table;
  CHECK(table.empty());
  CHECK(table.find("a") == nullptr);  // an empty table has no slots yet
  CHECK(table.try_emplace("b", 1.0).second);
  const auto [kept, added] = table.try_emplace("b", 2.0);
  CHECK_FALSE(added);
  CHECK(*kept == 1.0);
  table["a"] += 3;
  table["a"] += 4;
  CHECK(*table.find("a") == 7);
  table.reserve(1000, 5000);  // growing keeps what is there
  CHECK(*table.find("b") == 1.0);
  std::vector<std::string> order;
  table.for_each([&](std::string_view word, double) { order.emplace_back(word); });
  CHECK(order == std::vector<std::string>{"b", "a"});
}

TEST_CASE("data files: fields and numbers read as istream's >> reads them", "[data]") {
  std::string_view line = "  退款\t100  n\r";
  CHECK(next_field(line) == "退款");
  CHECK(next_field(line) == "100");
  CHECK(next_field(line) == "n");
  CHECK(next_field(line).empty());
  std::string_view text = "one\ntwo\r\n\nlast", each;
  std::vector<std::string> lines;
  while (next_line(text, each)) lines.emplace_back(each);
  CHECK(lines == std::vector<std::string>{"one", "two\r", "", "last"});

  double value = 0;
  CHECK(parse_number("13.900677652", value));
  CHECK(value == std::strtod("13.900677652", nullptr));  // the same double, to the bit
  CHECK((parse_number("+3", value) && value == 3));
  CHECK((parse_number("-1.5", value) && value == -1.5));
  CHECK_FALSE(parse_number("3abc", value));
  CHECK_FALSE(parse_number("abc", value));
  CHECK_FALSE(parse_number("", value));
  CHECK_FALSE(parse_number("+-3", value));
}

TEST_CASE("data files: a file's bytes, none for a missing file, empty for a directory", "[data]") {
  Dir dir;
  dir.write("words.txt", "退款 100 v\n运费 50 n\n");
  dir.write("empty.txt", "");
  CHECK(DataFile(dir.path / "words.txt").text() == "退款 100 v\n运费 50 n\n");
  CHECK(DataFile(dir.path / "empty.txt").ok());
  CHECK(DataFile(dir.path / "empty.txt").text().empty());
  CHECK_FALSE(DataFile(dir.path / "missing.txt").ok());
  CHECK(DataFile(dir.path).ok());
  CHECK(DataFile(dir.path).text().empty());
}

TEST_CASE("a damaged jieba dictionary: only its 'word frequency tag' lines count", "[data]") {
  Dir dir;
  dir.write("dict.txt",
            "退款 100 v\n"
            "坏行\n"         // no frequency
            "运费 abc n\n"   // not a number
            "零 0 m\n"       // no positive frequency
            "订单 50 n\r\n"  // a Windows line end
            "多久 30 m\n"
            "\n"
            "医院 20\n"  // no tag: a word, of no kind
            "到账 40 v\n"
            "一二三四五六七八九 5 m\n");  // longer than any word the segmenter keeps
  const ChineseSegmenter dictionary(dir.path / "dict.txt");
  CHECK(dictionary.size() == 5);
  CHECK(dictionary.contains("退款"));
  CHECK_FALSE(dictionary.contains("坏行"));
  CHECK_FALSE(dictionary.contains("运费"));
  CHECK_FALSE(dictionary.contains("零"));
  CHECK_FALSE(dictionary.contains("一二三四五六七八九"));
  CHECK(dictionary.is_noun("订单"));
  CHECK(dictionary.is_thing_word("订单"));
  CHECK(dictionary.is_amount_word("多久"));
  CHECK(dictionary.is_asking_word("多久"));
  CHECK(dictionary.names_no_thing("退款"));
  CHECK(dictionary.contains("医院"));
  CHECK_FALSE(dictionary.is_noun("医院"));
  CHECK(dictionary.segment(std::string_view("退款多久到账")) ==
        std::vector<std::string>{"退款", "多久", "到账"});

  dir.write("nothing.txt", "坏行\n运费 abc n\n");
  CHECK_THROWS_WITH(
      ChineseSegmenter(dir.path / "nothing.txt"),
      Catch::Contains((dir.path / "nothing.txt").string()) && Catch::Contains("has no words"));
}

TEST_CASE("jieba word weights: read up to the first damaged pair, as jieba's own reader",
          "[data]") {
  Dir dir;
  dir.write("idf.txt", "的 0.9\n退款 10.1\n退款 10.2\n坏 x\n运费 9.1\n");
  const CorpusIdf idf(dir.path / "idf.txt");
  CHECK(idf.size() == 2);
  REQUIRE(idf.find("的"));
  CHECK(*idf.find("的") == 0.9);
  CHECK(*idf.find("退款") == 10.2);  // the last of a word listed twice
  CHECK(idf.find("运费") == nullptr);
  CHECK_THROWS_WITH(CorpusIdf(dir.path / "missing.txt"),
                    Catch::Contains("missing.txt") && Catch::Contains("python3-jieba"));
}

namespace {

// A small WordNet directory in WordNet's own format (wndb(5WN)): nouns with synonyms,
// hypernyms, a time, an institution; a verb; exception lists; and damaged lines.
void write_small_wordnet(const Dir& dir) {
  const std::string licence = "  1 This software and database is being provided to you\n";
  dir.write("data.noun", licence +
                             "00000100 06 n 02 parcel 0 package 0 001 @ 00000200 n 0000 | a box\n"
                             "00000200 06 n 01 container 0 000 | holds things\n"
                             "00000300 28 n 01 weekend 0 000 | a time\n"
                             "00000400 14 n 02 police 0 police_force 0 000 | a group\n"
                             "00000500 06 n 02 sneaker 0 gym_shoe 0 001 @ 00000600 n 0000 | "
                             "a shoe\n"
                             "00000600 06 n 01 shoe 0 000 | footwear\n"
                             "00000700 06 n 01 broken\n");  // the word without its lex_id
  dir.write("index.noun", licence +
                              "parcel n 1 1 @ 1 0 00000100\n"
                              "package n 1 1 @ 1 0 00000100\n"
                              "container n 1 0 1 0 00000200\n"
                              "weekend n 1 0 1 0 00000300\n"
                              "police n 1 0 1 0 00000400\n"
                              "sneaker n 1 1 @ 1 0 00000500\n"
                              "shoe n 1 0 1 0 00000600\n"
                              "broken n 1 0 1 0 00000700\n"
                              "gym_shoe n 1 0 1 0 00000500\n"
                              "damaged n x\n"
                              "absent n 1 0 1 0 00009999\n");  // no such synset
  dir.write("data.verb", licence + "00000100 40 v 02 buy 0 purchase 0 000 | pay for\n");
  dir.write("index.verb", licence +
                              "buy v 1 0 1 0 00000100\n"
                              "purchase v 1 0 1 0 00000100\n");
  dir.write("data.adj", licence);
  dir.write("index.adj", licence);
  dir.write("verb.exc", "bought buy\nwent_out go_out\n");
  dir.write("noun.exc", "children child\n");
  dir.write("adj.exc", "better good well\n");
}

}  // namespace

TEST_CASE("a small WordNet: synonyms, hypernyms, kinds and base forms from its files", "[data]") {
  Dir dir;
  write_small_wordnet(dir);
  const WordAnalysis stem = [](std::string_view word) { return english_stem(word); };
  const WordNetSynonyms wordnet(dir.path, stem);
  const auto term = [](const char* word) { return english_stem(word); };
  CHECK(wordnet.of(term("parcel")) == std::vector<std::string>{term("package")});
  CHECK(wordnet.of(term("package")) == std::vector<std::string>{term("parcel")});
  CHECK(wordnet.of(term("purchase")) == std::vector<std::string>{term("buy")});
  CHECK(wordnet.of(term("sneaker")).empty());  // gym_shoe is a phrase
  CHECK(wordnet.size() == 4);                  // parcel, package, buy, purchase
  CHECK(wordnet.broader(term("parcel")) == std::vector<std::string>{term("container")});
  CHECK(wordnet.broader(term("sneaker")) == std::vector<std::string>{term("shoe")});
  CHECK(wordnet.broader(term("buy")).empty());  // verbs have none
  CHECK(wordnet.is_noun(term("parcel")));
  CHECK_FALSE(wordnet.is_noun(term("buy")));
  CHECK_FALSE(wordnet.is_noun(term("weekend")));  // a time is nothing anyone owns
  CHECK(wordnet.is_time_noun(term("weekend")));
  CHECK(wordnet.is_institution(term("police")));
  CHECK(wordnet.is_concrete(term("police")));
  CHECK_FALSE(wordnet.is_goods(term("police")));
  CHECK(wordnet.is_goods(term("parcel")));
  CHECK_FALSE(wordnet.is_concrete(term("weekend")));
  CHECK(wordnet.base_form("bought") == "buy");
  CHECK(wordnet.base_form("children") == "child");
  CHECK(wordnet.base_form("better") == "good");
  CHECK(wordnet.base_form("went_out").empty());
  CHECK(wordnet.base_form("walked").empty());
  // The damaged lines: a synset without its words, an index line without its counts,
  // an index line pointing nowhere.
  CHECK(wordnet.knows(term("broken")));
  CHECK(wordnet.of(term("broken")).empty());
  CHECK_FALSE(wordnet.knows(term("damaged")));
  CHECK_FALSE(wordnet.knows(term("absent")));
}

TEST_CASE("a WordNet directory without one of its files names that file and the package",
          "[data]") {
  const WordAnalysis stem = [](std::string_view word) { return english_stem(word); };
  for (const char* file : {"verb.exc", "data.noun", "index.verb", "data.adj"}) {
    Dir dir;
    write_small_wordnet(dir);
    std::filesystem::remove(dir.path / file);
    CHECK_THROWS_WITH(
        WordNetSynonyms(dir.path, stem),
        Catch::Contains((dir.path / file).string()) && Catch::Contains("wordnet-base"));
  }
}

TEST_CASE("WordNet's word counts: summed per term, damaged lines skipped", "[data]") {
  Dir dir;
  dir.write("cntlist.rev",
            "refund%1:21:00:: 1 9\n"
            "refunds%1:21:00:: 2 3\n"        // the same term
            "refund_policy%1:10:00:: 1 5\n"  // a phrase
            "no percent sign 4\n"
            "lamp%1:06:00:: 1 zero\n");
  const WordAnalysis stem = [](std::string_view word) { return english_stem(word); };
  const WordUsage usage(dir.path / "cntlist.rev", stem);
  CHECK(usage.count(english_stem("refund")) == 12);
  CHECK(usage.count(english_stem("lamp")) == 0);
  dir.write("empty.rev", "no percent sign 4\n");
  CHECK_THROWS_WITH(WordUsage(dir.path / "empty.rev", stem), Catch::Contains("have no words"));
}
