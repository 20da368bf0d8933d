// Manual routing's offer book: an offer follows the agents who may take it, and the
// book says exactly who newly sees it and who loses it, so nobody is told twice.
#include "engine/offer_book.hpp"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

using sb::engine::OfferBook;
using Agents = std::vector<std::string>;

TEST_CASE("an offer tells only the agents it newly reaches and withdraws from the rest") {
  OfferBook book;
  auto change = book.offer("c1", {"ann", "bob"});
  CHECK(change.offered == Agents{"ann", "bob"});
  CHECK(change.withdrawn.empty());
  CHECK(book.is_offered_to("c1", "ann"));

  change = book.offer("c1", {"bob", "cy"});  // ann went away, cy came online
  CHECK(change.offered == Agents{"cy"});
  CHECK(change.withdrawn == Agents{"ann"});
  CHECK_FALSE(book.is_offered_to("c1", "ann"));

  change = book.offer("c1", {"bob", "cy"});  // nothing moved: nobody hears again
  CHECK(change.offered.empty());
  CHECK(change.withdrawn.empty());
}

TEST_CASE("withdrawing an offer names everyone who saw it and forgets it") {
  OfferBook book;
  book.offer("c1", {"ann", "bob"});
  book.offer("c2", {"ann"});
  book.mark_transfer("c1");
  CHECK(book.withdraw("c1") == std::set<std::string>{"ann", "bob"});
  CHECK(book.transfers().empty());  // the transfer mark goes with it
  CHECK_FALSE(book.is_offered_to("c1", "ann"));
  CHECK(book.is_offered_to("c2", "ann"));  // other conversations keep theirs
  CHECK(book.withdraw("c1").empty());
  // Offered again later: everyone hears of it anew.
  CHECK(book.offer("c1", {"bob"}).offered == Agents{"bob"});
}

TEST_CASE("an offer to nobody leaves nothing behind") {
  OfferBook book;
  book.offer("c1", {"ann"});
  CHECK(book.offer("c1", {}).withdrawn == Agents{"ann"});
  CHECK(book.withdraw("c1").empty());
}
