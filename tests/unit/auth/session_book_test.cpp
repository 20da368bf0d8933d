// The console's sessions: their CSRF tokens, sign-outs that hold (across a restart
// too) and close the session's sockets, and the cookies that carry them.
#include "auth/session_book.hpp"

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <thread>
#include <vector>

#include "common/clock.hpp"

namespace fs = std::filesystem;
using sb::auth::Claims;
using sb::auth::SessionBook;
using sb::auth::TokenSigner;

namespace {

std::array<unsigned char, 32> key_of(unsigned char fill) {
  std::array<unsigned char, 32> key;
  key.fill(fill);
  return key;
}

Claims alice() {
  return Claims{"agent", "acme", "alice", "agent", sb::wall_clock_ms() / 1000 + 3600, 2};
}

struct TempDir {
  fs::path path =
      fs::temp_directory_path() / ("sb-session-test-" + std::to_string(std::random_device{}()));
  TempDir() { fs::create_directories(path); }
  ~TempDir() { fs::remove_all(path); }
};

int64_t now_s() {
  return sb::wall_clock_ms() / 1000;
}

}  // namespace

TEST_CASE("a session token verifies with its session id, other tokens as before") {
  TokenSigner signer(key_of(1));
  SessionBook book(signer);
  Claims claims = alice();
  const std::string token = book.open(claims);
  CHECK(claims.session.starts_with("s_"));
  auto verified = book.verify(token, now_s());
  REQUIRE(verified);
  CHECK(*verified == claims);
  Claims second = alice();
  book.open(second);
  CHECK(second.session != claims.session);

  const std::string bearer = signer.issue(alice());
  REQUIRE(book.verify(bearer, now_s()));
  CHECK(book.verify(bearer, now_s())->session.empty());
}

TEST_CASE("the CSRF token belongs to its session and to this install's key") {
  TokenSigner signer(key_of(2));
  SessionBook book(signer);
  Claims a = alice(), b = alice();
  const std::string token_a = book.open(a), token_b = book.open(b);
  const std::string csrf = book.csrf_token(token_a);
  CHECK(csrf.size() >= 40);
  CHECK(csrf == book.csrf_token(token_a));  // derived, not stored
  CHECK(book.csrf_matches(token_a, csrf));
  CHECK_FALSE(book.csrf_matches(token_b, csrf));
  CHECK_FALSE(book.csrf_matches(token_a, ""));
  CHECK_FALSE(book.csrf_matches(token_a, csrf.substr(1)));
  CHECK_FALSE(book.csrf_matches(token_a, std::string(csrf.size(), 'A')));
  CHECK(TokenSigner(key_of(3)).csrf_token(token_a) != csrf);
  CHECK(csrf != token_a.substr(token_a.rfind('.') + 1));  // not the token's own signature
}

TEST_CASE("signing out ends the session and closes its sockets, not another's") {
  TokenSigner signer(key_of(4));
  SessionBook book(signer);
  Claims a = alice(), b = alice();
  const std::string token_a = book.open(a), token_b = book.open(b);
  std::vector<std::string> closed;
  auto watch = [&](const Claims& c, uint64_t socket) {
    return book.watch(c.tenant, c.subject, c.session, c.issued_at_ms, socket,
                      [&closed, socket](std::string why) {
                        closed.push_back(std::to_string(socket) + " " + why);
                      });
  };
  watch(a, 1);
  watch(a, 2);
  watch(a, 3);
  book.unwatch(3);  // that socket closed by itself
  watch(b, 4);
  Claims bearer = alice();  // alice's socket opened with a bearer token: no session
  watch(bearer, 6);

  book.sign_out(a, "signed out");
  CHECK(closed == std::vector<std::string>{"1 signed out", "2 signed out"});
  book.sign_out(bearer, "signed out");  // no session: nothing to end
  CHECK(closed.size() == 2);
  CHECK_FALSE(book.verify(token_a, now_s()));
  CHECK(book.verify(token_b, now_s()));
  // A socket that opened just before the sign-out is refused its watch.
  CHECK_FALSE(watch(a, 5));
}

TEST_CASE("a sign-out outlives a restart, until the session would have expired") {
  TempDir dir;
  const fs::path file = dir.path / "signed_out_sessions";
  TokenSigner signer(key_of(5));
  Claims a = alice(), soon = alice();
  soon.expires_at_s = now_s() + 1;
  std::string token_a, token_soon;
  {
    SessionBook book(signer, file);
    token_a = book.open(a);
    token_soon = book.open(soon);
    book.sign_out(a, "signed out");
    book.sign_out(soon, "signed out");
  }
  SessionBook restarted(signer, file);
  CHECK_FALSE(restarted.verify(token_a, now_s()));
  CHECK_FALSE(restarted.verify(token_soon, now_s()));
  // Once expired, nothing is left to remember.
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  SessionBook later(signer, file);
  std::ifstream in(file);
  const std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(kept.find(a.session) != std::string::npos);
  CHECK(kept.find(soon.session) == std::string::npos);
}

TEST_CASE("the session cookie is HttpOnly, SameSite=Strict, for the whole site") {
  CHECK(SessionBook::cookie("T0K", 43200) ==
        "sb_session=T0K; HttpOnly; SameSite=Strict; Path=/; Max-Age=43200");
  CHECK(SessionBook::clearing_cookie() ==
        "sb_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

TEST_CASE("an agent signed out everywhere: every earlier token refused, sockets closed") {
  TempDir dir;
  const fs::path file = dir.path / "signed_out_sessions";
  TokenSigner signer(key_of(6));
  const int64_t t0_ms = sb::wall_clock_ms();
  Claims bearer = alice(), console = alice(), bob = alice(), other_tenant = alice();
  bearer.issued_at_ms = console.issued_at_ms = bob.issued_at_ms = other_tenant.issued_at_ms = t0_ms;
  bob.subject = "bob";
  other_tenant.tenant = "globex";
  std::vector<std::string> closed;
  std::string bearer_token, console_token;
  {
    SessionBook book(signer, file);
    bearer_token = signer.issue(bearer);
    console_token = book.open(console);
    auto watch = [&](const Claims& c, const std::string& session, uint64_t socket) {
      book.watch(c.tenant, c.subject, session, c.issued_at_ms, socket,
                 [&closed, socket](std::string why) {
                   closed.push_back(std::to_string(socket) + " " + why);
                 });
    };
    watch(bearer, "", 1);                // alice's bearer-token socket
    watch(console, console.session, 2);  // alice's console
    watch(bob, "", 3);                   // bob, same tenant
    watch(other_tenant, "", 4);          // another tenant's alice

    book.sign_out_agent("acme", "alice", t0_ms + 5, "signed out by an admin");
    CHECK(closed ==
          std::vector<std::string>{"1 signed out by an admin", "2 signed out by an admin"});
    CHECK_FALSE(book.verify(bearer_token, now_s()));
    CHECK_FALSE(book.verify(console_token, now_s()));
    CHECK(book.verify(signer.issue(bob), now_s()));
    CHECK(book.verify(signer.issue(other_tenant), now_s()));
    // A token from before tokens carried their issue time is refused too.
    Claims undated = alice();
    CHECK_FALSE(book.verify(signer.issue(undated), now_s()));
    // Signing in again afterwards works at once.
    Claims again = alice();
    again.issued_at_ms = t0_ms + 6;
    CHECK(book.verify(signer.issue(again), now_s()));
  }
  // A restart remembers it.
  SessionBook restarted(signer, file);
  CHECK_FALSE(restarted.verify(bearer_token, now_s()));
  CHECK_FALSE(restarted.verify(console_token, now_s()));
  Claims later = alice();
  later.issued_at_ms = t0_ms + 6;
  CHECK(restarted.verify(signer.issue(later), now_s()));
}

TEST_CASE(
    "sign-outs from another node: kept as if made here, the later cutoff wins, taken twice "
    "changes nothing, and only the sockets of the tokens they refuse close") {
  TempDir dir;
  const fs::path file = dir.path / "signed_out_sessions";
  TokenSigner signer(key_of(7));
  const int64_t t0_ms = sb::wall_clock_ms();
  Claims before = alice(), after = alice(), console = alice();
  before.issued_at_ms = console.issued_at_ms = t0_ms;
  after.issued_at_ms = t0_ms + 100;
  SessionBook book(signer, file);
  const std::string console_token = book.open(console);
  std::vector<std::string> closed;
  auto watch = [&](const Claims& c, const std::string& session, uint64_t socket) {
    return book.watch(c.tenant, c.subject, session, c.issued_at_ms, socket,
                      [&closed, socket](std::string why) {
                        closed.push_back(std::to_string(socket) + " " + why);
                      });
  };
  watch(before, "", 1);
  watch(after, "", 2);  // signed in again after the sign-out below was made
  watch(console, console.session, 3);

  const auto everywhere = SessionBook::signed_out_everywhere("acme", "alice", t0_ms + 50);
  book.remember({everywhere}, "signed out by an admin");
  CHECK(closed == std::vector<std::string>{"1 signed out by an admin", "3 signed out by an admin"});
  CHECK_FALSE(book.verify(signer.issue(before), now_s()));
  CHECK(book.verify(signer.issue(after), now_s()));
  // Heard again (the bus, then the stored list): nothing more closes.
  book.remember({everywhere}, "signed out by an admin");
  CHECK(closed.size() == 2);
  // An earlier cutoff heard late does not bring back what the later one refuses.
  book.remember({SessionBook::signed_out_everywhere("acme", "alice", t0_ms - 1000)}, "late");
  CHECK_FALSE(book.verify(signer.issue(before), now_s()));
  // A socket whose token was refused meanwhile is not watched.
  CHECK_FALSE(watch(before, "", 4));
  CHECK(watch(after, "", 5));

  // A session ended elsewhere: its token stops verifying here, and a restart keeps it.
  Claims other = alice();
  other.subject = "bob";
  const std::string other_token = book.open(other);
  watch(other, other.session, 6);
  book.remember({SessionBook::session_ended(other)}, "signed out");
  CHECK(closed.back() == "6 signed out");
  CHECK_FALSE(book.verify(other_token, now_s()));
  // One that has expired already is of no use and is not kept.
  Claims gone = alice();
  gone.session = "s_gone";
  gone.expires_at_s = now_s() - 1;
  book.remember({SessionBook::session_ended(gone)}, "signed out");
  SessionBook restarted(signer, file);
  CHECK_FALSE(restarted.verify(other_token, now_s()));
  CHECK_FALSE(restarted.verify(signer.issue(before), now_s()));
  CHECK(restarted.verify(signer.issue(after), now_s()));
  std::ifstream in(file);
  const std::string kept((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  CHECK(kept.find("s_gone") == std::string::npos);
}

TEST_CASE("a refused token says why: signed out, signed out by an admin, expired, not valid") {
  TokenSigner signer(key_of(9));
  SessionBook book(signer);
  Claims a = alice(), b = alice(), old = alice();
  const std::string token_a = book.open(a);
  const std::string token_b = book.open(b);
  old.expires_at_s = now_s() - 5;
  const std::string expired = book.open(old);
  book.sign_out(a, sb::kSignedOut.close_reason());
  CHECK(book.refusal(token_a, now_s()).problem == "signed_out");
  CHECK(book.refusal(expired, now_s()).problem == "session_expired");
  CHECK(book.refusal("garbage", now_s()).problem == "invalid_token");
  CHECK(book.refusal(TokenSigner(key_of(10)).issue(alice()), now_s()).problem == "invalid_token");
  Claims bearer = alice();
  bearer.issued_at_ms = sb::wall_clock_ms();
  const std::string bearer_token = signer.issue(bearer);
  book.sign_out_agent("acme", "alice", sb::wall_clock_ms() + 1,
                      sb::kSignedOutByAdmin.close_reason());
  CHECK(book.refusal(bearer_token, now_s()).problem == "signed_out_by_admin");
  CHECK(book.refusal(token_b, now_s()).problem == "signed_out_by_admin");
}
