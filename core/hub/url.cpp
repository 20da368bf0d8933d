// Boost.URL is header-only here; its implementation is compiled once, in this file.
#include <boost/url/src.hpp>
