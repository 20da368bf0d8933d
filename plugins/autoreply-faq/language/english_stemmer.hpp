#pragma once
// English words to their Snowball stems (Debian's libstemmer, the "english"
// algorithm): "refunds", "refunded", "refunding" -> "refund"; "delivery",
// "deliveries" -> "deliveri".
//
// Thread-safety: a Snowball stemmer keeps state between calls, so each thread gets
// its own (thread_local) on first use; stem() is safe from any thread.
#include <string>
#include <string_view>

namespace switchboard::faq {

// word: lower-case ASCII letters and digits. Words with digits are kept as they are.
std::string english_stem(std::string_view word);

}  // namespace switchboard::faq
