#pragma once
// Text -> index terms, with the language handling the FAQ index uses:
//
// 1. Traditional Chinese folded to simplified (OpenCC, script_folding.hpp).
// 2. Chinese runs segmented into words (jieba dictionary, chinese_segmenter.hpp); each
//    word of two or more characters also yields its characters, so a paraphrase that
//    shares only a character ("退钱" / "退款") still counts, for less.
// 3. English: lower-cased words ("ur", "u" read as "your", "you"), function words
//    dropped (tokenizer.hpp's list),
//    Snowball stems (english_stemmer.hpp); a verb and its particle that WordNet has as
//    one verb are one term ("call off" -> call_off, whose synonym is "cancel"; also
//    "call it off", a pronoun object between them; and written as one word that no
//    dictionary has: "login" is "log in"), a name of several words that
//    WordNet has as one is one term ("New Zealand" -> new_zealand, a country), a
//    misspelt question word is read as meant ("lnog" -> long), "how fast", "how
//    quickly" as "how soon", "time" after a noun ("shipping time") also as "long", how
//    long it takes, and a verb of telecommunicating with "you" or "us" after it
//    ("email you", "phone us") also as "contact": reaching the business.
// 4. The tenant's synonym groups (synonyms.hpp) replace a term by its group's term (a
//    Chinese character of a longer word is not replaced: a group's one-character word,
//    the demo's bare 退 for 退货, stands for it only as a word of its own);
//    their Chinese words are segmented whole even when the dictionary lacks them
//    (运单号, 快递费), like jieba's user dictionary.
//
// A term also carries how much it says about the topic (content_weight): for Chinese
// the jieba corpus IDF (idf.txt, same package) scaled to [0.1, 1] ("的" 0.1, "怎么"
// 0.44, "退款" 1); English function words are already gone, the rest weigh 1.
// related() gives WordNet synonyms for query words the knowledge base lacks.
//
// Thread-safety: immutable after construction; every method is const and safe from
// many threads.
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "chinese_segmenter.hpp"
#include "corpus_idf.hpp"
#include "script_folding.hpp"
#include "synonyms.hpp"
#include "tokenizer.hpp"
#include "word_usage.hpp"

namespace switchboard::faq {

struct TextAnalyzerFiles {
  std::filesystem::path jieba_dictionary = "/usr/lib/python3/dist-packages/jieba/dict.txt";
  std::filesystem::path jieba_idf = "/usr/lib/python3/dist-packages/jieba/analyse/idf.txt";
  std::filesystem::path wordnet_directory = "/usr/share/wordnet";  // and its cntlist.rev
  std::string opencc_config = "t2s.json";
  std::filesystem::path tenant_synonyms;  // optional
};

class TextAnalyzer {
 public:
  // Throws std::runtime_error (or autoreply::LoadError for the tenant's synonyms file)
  // naming the file and the Debian package when data is missing.
  explicit TextAnalyzer(const TextAnalyzerFiles& files);

  // Terms in order, duplicates kept (BM25 counts them). within_word, when given,
  // gets one flag per term: true for a character of a longer Chinese word.
  std::vector<std::string> terms(std::string_view text,
                                 std::vector<bool>* within_word = nullptr) const;
  // Terms that only count where they match (faq_index.hpp): pairs of neighbouring
  // English terms ("how long", "track order": what a question asks about a topic)
  // and Chinese character bigrams that segmentation did not keep as a word (a
  // back-off when a visitor's words are cut differently from the entry's: 快递单号
  // and 物流单号 share 单号). Each starts with a space, so none equals a term.
  std::vector<std::string> phrase_terms(std::string_view text) const;
  // The Chinese words of the text that name an act before 后, 以后 or 之后 (下单后怎么改地址:
  // 下单), as terms: the time of what is asked, not what it is about (chinese_acts.cpp).
  std::unordered_set<std::string> times_of_acts(std::string_view text) const;
  // Terms of the text that belong to a noun the caller does not know, so that the
  // text is about that noun's thing, not about the term ("reset my router
  // password", "the phone number of the nearest hospital", 医院的电话, 路由器密码):
  // - English: a known noun right after a noun ("router password"), and the known
  //   nouns right before "of" followed by a noun, past function words and at most
  //   one other word ("phone number of the nearest hospital"), and a known noun
  //   before a noun that ends the text, its head ("email support");
  // - Chinese: the known word (and its characters) right after a noun, or after a
  //   noun and 的 (银行几点开门: the bank's hours); and the characters of the noun
  //   itself (火车票's 票 is not 发票's) unless a word the caller has is inside it
  //   (电话号码). Not after 你们, 您们 or 贵: the business's own.
  //   A noun here is one the jieba dictionary tags n, nt or nz.
  // - English nouns are WordNet's (WordNetSynonyms::is_noun), not after "your" or
  //   "our" ("your support email" is the shop's).
  // known(term) says whether the caller (the knowledge base) has the term. Places
  // and times are not owners: 寄到日本, "ship to Canada", "order today".
  std::unordered_set<std::string> attached_to_unknown_nouns(
      std::string_view text, const std::function<bool(const std::string&)>& known) const;
  // [0.1, 1]: how much a term says about what the text is about.
  double content_weight(const std::string& term) const;
  // [0.1, 1] for an English term: how specific a word it is, from how often it is
  // used (word_usage.hpp); 1 for anything else.
  double english_specificity(const std::string& term) const;
  // WordNet synonyms of an (English) term.
  const std::vector<std::string>& related(const std::string& term) const;
  // WordNet hypernyms of an (English) noun, one level up (synonyms.hpp); for a Chinese
  // place name (the jieba dictionary's ns: 日本, 新加坡, 澳洲) what any place is, 国家 and
  // 地区 (country, region), as WordNet gives "Germany" -> country.
  const std::vector<std::string>& broader(const std::string& term) const;
  // True for a named place: a Chinese word the jieba dictionary tags as a place (ns:
  // 日本, 澳洲, 台湾), or an English word one of whose broader words (WordNet's
  // hypernyms, instance ones included) is "country" ("Brazil" -> South American
  // country, "Norway"; not "weather", "house", "store"), or a name of several words
  // whose commonest sense is a place, a city too ("Hong Kong", "New York":
  // WordNetSynonyms::is_place_of_several_words).
  bool is_place_name(const std::string& term) const;
  // A named place's broader words in both languages: what broader() gives, and the
  // other language's word for a country (国家 for "Brazil", the term of "country" for
  // 日本), so that a place named in one language meets entries asked in the other
  // ("我在日本，能下单吗" and "Which countries do you ship to?").
  std::vector<std::string> place_broader(const std::string& term) const;
  // The named places (is_place_name), as terms, where the visitor says they are: a
  // place right after a locative (English "in" or "from", past "the" in "in the
  // United States"; Chinese 在 or 住在) in a
  // clause the visitor speaks of themselves in before it (English "I", "we"; Chinese
  // 我, 我们, 本人): "I live in Brazil", "I'm in Portugal", "we are based in Norway",
  // 我在日本, 我人在澳洲, 我住在澳大利亚. Not a place the visitor only names ("ship to
  // Canada", "what time is it in Germany", 寄到日本, 你们在日本有店吗).
  // frame, when given, gets the terms of the locative's verb ("live", "base", "stay":
  // the word before "in" or "from"; 住 is in 住在), which say nothing besides the place.
  std::unordered_set<std::string> visitor_places(
      std::string_view text, std::unordered_set<std::string>* frame = nullptr) const;
  // The head of a Chinese compound noun that the caller knows: its longest ending of
  // two or more characters that known() accepts (电子邮件 -> 邮件), as a term, preceded
  // by the rest when that is known too (邮箱地址 -> 邮箱, 地址); none when there is no
  // such ending or the term is no noun of three or more characters by the jieba
  // dictionary (分期付款 is an idiom, not a kind of 付款). Chinese compounds put their
  // head last, as English ones do ("European country" -> country).
  std::vector<std::string> chinese_head(const std::string& term,
                                        const std::function<bool(const std::string&)>& known) const;
  // True for a Chinese word asking for an amount (ChineseSegmenter::is_amount_word:
  // 多久, 几天, 多少): "寄到国外要多久" asks how long, which "可以寄到国外吗" does not.
  bool asks_amount(const std::string& term) const { return segmenter_->is_amount_word(term); }
  // True when the text asks when or how long (a time or a duration: "how long",
  // "how soon", "how many days", "when will", "what time", 多久, 几天, 什么时候, 几点,
  // 几个工作日), in either language: what kind of answer is wanted, whatever else the
  // text says ("寄到国外要多长时间" asks for a duration, which "可以寄到国外吗" does not
  // answer). A question whether something has happened yet asks about its time too
  // ("has it shipped yet", 发货了没, ...了没有, ...了吗 at the end of the text or of a
  // clause; 还没发货吗, "has it still not shipped?"), and so does a
  // complaint that it has not come yet (钱还没到, 还没收到). "when" asked within a
  // sentence counts ("I want to know when the money comes back", "wondering when");
  // not "when" opening a clause ("do I get a tracking number when it ships").
  bool asks_when(std::string_view text) const;
  // True when the text names a span of time as such ("delivery time", "turnaround",
  // 到账时间, 时效), a day it may be bounded by ("by Friday", "tomorrow", "the same day",
  // 明天, 周末, 当天) or how fast or slow ("quickly", "does it take long", 发货快吗, 很久):
  // "shipping time?", 今天下单明天能到吗 and "do refunds take long?" ask how long or
  // whether by then, in no question word. A service named by a relative day is not
  // ("next-day shipping", 次日达), nor the courier (快递).
  bool names_time(std::string_view text) const;
  // True for a Chinese word the jieba dictionary tags as something other than a
  // noun (ChineseSegmenter::names_no_thing).
  bool names_no_thing(const std::string& term) const { return segmenter_->names_no_thing(term); }
  // False for a term that says only what kind of answer is wanted, not what the
  // message is about: English question words and words naming a time ("what",
  // "how", "time", "weekend": WordNetSynonyms::is_time_noun; the prepositions of time
  // "until", "till", "since"), Chinese question words,
  // amounts, times and function words (ChineseSegmenter::is_asking_word: 几点, 多久,
  // 周末). "What time is it in London" shares only such words with "What time does
  // customer service work?", so it is not about customer service. A time is what a
  // message is about when the message speaks of the business's own (business_own:
  // "what are your business hours", 你们周末有人吗).
  bool names_topic(const std::string& term, bool business_own) const;
  // True for a term that names a thing rather than an act or a manner: an English
  // noun (WordNetSynonyms::is_noun: "refund", "order", "flight"; not "track", "pay")
  // or a Chinese word of two or more characters the jieba dictionary tags as a noun or
  // a verb used as one (n, nt, nz, vn: 订单, 发票, 运费; not 取消, 退款).
  bool names_thing(const std::string& term) const;
  // True for an English question word as a term (what, how, when, where, which, why,
  // who, whose, and the degree words a "how" asks with: many, much, long, soon).
  bool is_question_word(const std::string& term) const;
  // True for a number as a term ("48213", "5", "2nd"): an order number or an amount,
  // not a thing the knowledge base lacks.
  static bool is_number(const std::string& term);
  // True when the text speaks of the business's own things: "your", "yours", 你们,
  // 您们, 贵公司, 贵司, 贵店.
  bool speaks_of_business(std::string_view text) const;
  // True when the text speaks of the business's own things (speaks_of_business) or
  // makes the business the object of an act ("Can I email you?", "how do I reach you":
  // "you" after a word that is no auxiliary; not "thank you"), or says what it has
  // ("do you have an email address?"; not "do you have to ...").
  bool speaks_of_business_thing(std::string_view text) const;
  // True when the text speaks to the business: "you", "your", 你们, 您, 贵公司 ("Can I
  // pay with PayPal?" does not; "Which payment methods do you accept?" does).
  bool speaks_to_business(std::string_view text) const;
  // True when every term of the text names a time and none asks anything ("hours?",
  // "weekend?", 周末？): a visitor who writes only that can mean only the business's
  // times, so they are its topic (names_topic with business_own).
  bool names_only_times(std::string_view text) const;
  // The terms of English nouns the caller lacks that follow a noun it has and say what
  // about that noun is asked, not a thing of their own: WordNet's abstract nouns (not
  // WordNetSynonyms::is_concrete) right after a known noun ("payment options",
  // "contact info", "refund status"). They weigh as words that name no thing.
  std::unordered_set<std::string> aspects_of_known_nouns(
      std::string_view text, const std::function<bool(const std::string&)>& known) const;
  // True for an English term WordNet uses mostly as a noun of a thing
  // (WordNetSynonyms::is_noun).
  bool is_english_noun(const std::string& term) const { return wordnet_->is_noun(term); }
  // True when the term is a real English word (WordNet knows it): not a typo.
  bool is_known_word(const std::string& term) const { return wordnet_->knows(term); }
  // True for an English term that names goods (WordNetSynonyms::is_goods: "kettle").
  bool is_goods(const std::string& term) const { return wordnet_->is_goods(term); }
  // One word's term (synonym files, WordNet lemmas): "" when it yields none.
  std::string word_term(std::string_view word) const;

 private:
  // The text folded, contractions spelled out, cut into pieces (tokenizer.hpp).
  std::vector<TextPiece> pieces_of(std::string_view text) const;
  // An English word's term ("" for a function word or a lone letter).
  std::string english_term(const std::string& word) const;
  // A Chinese run's words (as segmented) read for the acts they name (chinese_acts.cpp):
  // 咋 as 怎么; a verb asked "how" at the end of a clause (退款咋弄, 要怎么操作) dropped when an
  // act has been named before it, in the run or earlier in the message
  // (act_named_before); a verb of one character and its object, after a measure or
  // 了 or before it after 把, joined into the compound the dictionary or the tenant has
  // (退个款 -> 退款, 把钱退了 -> 退钱).
  std::vector<std::string> read_acts(std::vector<std::string> words, bool act_named_before) const;
  // True when one of the words is a verb of two or more characters (退款, 改成).
  bool names_act(const std::vector<std::string>& words) const;

  std::shared_ptr<const ChineseSegmenter> segmenter_;
  std::shared_ptr<const CorpusIdf> corpus_idf_;
  std::unique_ptr<ScriptFolding> folding_;
  std::shared_ptr<const WordNetSynonyms> wordnet_;
  std::shared_ptr<const WordUsage> word_usage_;
  TenantSynonyms tenant_;
  std::string country_term_;  // the term of "country"
  std::string contact_term_;  // the term of "contact"
  // The tenant's English words for itself (business_names in its synonyms file),
  // dropped like "you" (pieces_of).
  std::unordered_set<std::string> business_names_;
  // The tenant's Chinese words (from its synonyms file), kept whole by segmentation.
  std::unordered_set<std::string> user_words_;
};

}  // namespace switchboard::faq
