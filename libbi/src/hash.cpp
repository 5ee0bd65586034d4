// SHA-256 (FIPS 180-4), written out here rather than taken from libcrypto: OpenSSL 3 routes
// every digest, even the one-shot SHA256(), through its provider tables, and initialising
// them cost a short-lived bi-ask more than everything else it does (docs/benchmarks.md).
// Checked against sha256sum by the dump tests (sql_sha256) and the hash test vectors.
#include "bi/hash.hpp"

#include <array>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>
#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>
#endif

#include "bi/error.hpp"
// Header-only (XXH_INLINE_ALL): nothing to link, and the compiler sees the hash's loop.
#define XXH_INLINE_ALL
#include <xxhash.h>

namespace bi {

namespace {

constexpr std::array<std::uint32_t, 64> round_constants = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

constexpr std::uint32_t rotr(std::uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

void compress(std::array<std::uint32_t, 8>& h, const unsigned char* block) {
    std::uint32_t w[64];
    for (int i = 0; i < 16; ++i)
        w[i] = (std::uint32_t{block[4 * i]} << 24) | (std::uint32_t{block[4 * i + 1]} << 16) |
               (std::uint32_t{block[4 * i + 2]} << 8) | std::uint32_t{block[4 * i + 3]};
    for (int i = 16; i < 64; ++i) {
        std::uint32_t s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3);
        std::uint32_t s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
    for (int i = 0; i < 64; ++i) {
        std::uint32_t t1 = k + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + round_constants[i] + w[i];
        std::uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        k = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += k;
}

// The same rounds in the SHA extensions' instructions (Intel SHA-NI, on AMD since Zen): a
// bi-ask hashes 16 pages of the database for its fingerprint, 4 M instructions written out
// (three in ten of a question) and ~0.1 M here.
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define BI_SHA_NI 1

__attribute__((target("sha,sse4.1"))) void compress_sha_ni(std::array<std::uint32_t, 8>& h, const unsigned char* data,
                                                            size_t blocks) {
    const __m128i byte_order = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    // The instructions keep the state as ABEF and CDGH.
    __m128i dcba = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&h[0]));
    __m128i hgfe = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&h[4]));
    __m128i cdab = _mm_shuffle_epi32(dcba, 0xB1);
    __m128i efgh = _mm_shuffle_epi32(hgfe, 0x1B);
    __m128i abef = _mm_alignr_epi8(cdab, efgh, 8);
    __m128i cdgh = _mm_blend_epi16(efgh, cdab, 0xF0);
    for (size_t b = 0; b < blocks; ++b, data += 64) {
        __m128i abef_before = abef, cdgh_before = cdgh;
        __m128i msg[4];
        for (int i = 0; i < 4; ++i)
            msg[i] = _mm_shuffle_epi8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(data + 16 * i)), byte_order);
#pragma GCC unroll 16
        for (int g = 0; g < 16; ++g) {
            __m128i k = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&round_constants[4 * g]));
            __m128i w = _mm_add_epi32(msg[g & 3], k);
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, w);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(w, 0x0E));
            if (g < 12) {  // the schedule: words 4g+16..4g+19 from those 16, 15, 7 and 2 before
                __m128i next = _mm_sha256msg1_epu32(msg[g & 3], msg[(g + 1) & 3]);
                next = _mm_add_epi32(next, _mm_alignr_epi8(msg[(g + 3) & 3], msg[(g + 2) & 3], 4));
                msg[g & 3] = _mm_sha256msg2_epu32(next, msg[(g + 3) & 3]);
            }
        }
        abef = _mm_add_epi32(abef, abef_before);
        cdgh = _mm_add_epi32(cdgh, cdgh_before);
    }
    __m128i feba = _mm_shuffle_epi32(abef, 0x1B);
    __m128i dchg = _mm_shuffle_epi32(cdgh, 0xB1);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&h[0]), _mm_blend_epi16(feba, dchg, 0xF0));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&h[4]), _mm_alignr_epi8(dchg, feba, 8));
}

/// Whether this CPU has the SHA extensions (and SSSE3 and SSE4.1, which the code above uses).
bool has_sha_ni() {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1)) return false;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
    return (b & bit_SHA) != 0;
}
#endif

void compress_blocks(std::array<std::uint32_t, 8>& h, const unsigned char* data, size_t blocks, bool portable) {
#ifdef BI_SHA_NI
    static const bool sha_ni = has_sha_ni();
    if (sha_ni && !portable) return compress_sha_ni(h, data, blocks);
#endif
    (void)portable;
    for (size_t b = 0; b < blocks; ++b) compress(h, data + 64 * b);
}

std::string sha256(std::string_view data, bool portable) {
    std::array<std::uint32_t, 8> h = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                      0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    auto bytes = reinterpret_cast<const unsigned char*>(data.data());
    size_t full = data.size() / 64 * 64;
    compress_blocks(h, bytes, full / 64, portable);
    // The tail, the 0x80 marker and the length in bits fill one or two last blocks.
    unsigned char last[128] = {};
    size_t rest = data.size() - full;
    if (rest) std::memcpy(last, bytes + full, rest);
    last[rest] = 0x80;
    size_t blocks = rest + 1 + 8 <= 64 ? 1 : 2;
    std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
    for (int i = 0; i < 8; ++i) last[blocks * 64 - 1 - i] = static_cast<unsigned char>(bits >> (8 * i));
    compress_blocks(h, last, blocks, portable);
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(64);
    for (auto word : h)
        for (int shift = 28; shift >= 0; shift -= 4) out.push_back(hex[(word >> shift) & 0xf]);
    return out;
}

}  // namespace

std::string sha256_hex(std::string_view data) { return sha256(data, false); }

std::string detail::sha256_hex_portable(std::string_view data) { return sha256(data, true); }

// XXH3 rather than CRC32C: as fast without SSE4.2's crc32 instruction (no dispatch to write),
// a 64-bit result, and a streaming state for the dumps written row by row.
std::uint64_t checksum64(std::string_view data) { return XXH3_64bits(data.data(), data.size()); }

struct checksum_stream::state {
    XXH3_state_t xxh;
};

checksum_stream::checksum_stream() : state_(std::make_unique<state>()) { XXH3_64bits_reset(&state_->xxh); }
checksum_stream::~checksum_stream() = default;

void checksum_stream::update(std::string_view data) { XXH3_64bits_update(&state_->xxh, data.data(), data.size()); }

std::uint64_t checksum_stream::digest() const { return XXH3_64bits_digest(&state_->xxh); }

std::string checksum_text(std::uint64_t sum) { return fmt::format("xxh3:{:016x}", sum); }

std::optional<std::uint64_t> parse_checksum_text(std::string_view text) {
    constexpr std::string_view prefix = "xxh3:";
    if (text.size() != prefix.size() + 16 || text.substr(0, prefix.size()) != prefix) return std::nullopt;
    std::uint64_t sum = 0;
    for (char c : text.substr(prefix.size())) {
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        if (digit < 0) return std::nullopt;
        sum = sum << 4 | static_cast<std::uint64_t>(digit);
    }
    return sum;
}

void check_json_checksum(std::string_view text, const std::string& path) {
    constexpr std::string_view member = ",\"checksum\":\"";
    constexpr size_t tail = member.size() + 5 + 16 + 3;  // "xxh3:", the digits, `"}` and '\n'
    if (text.size() < tail || text.substr(text.size() - tail, member.size()) != member ||
        text.substr(text.size() - 3) != "\"}\n")
        throw parse_error(path, 0, "no checksum at the end: the file is damaged, cut short or older than this bi (run bi-regen)");
    auto at = text.size() - tail;
    auto sum = parse_checksum_text(text.substr(at + member.size(), 21));
    if (!sum) throw parse_error(path, 0, "its checksum is unreadable: the file is damaged (run bi-regen)");
    if (*sum != checksum64(text.substr(0, at)))
        throw parse_error(path, 0, "the file does not match its checksum: it is damaged (run bi-regen)");
}

}  // namespace bi
