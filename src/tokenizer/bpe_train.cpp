// Byte-level BPE trainer. See bpe_train.h.
//
// Words: each distinct pre-token piece once, with its frequency; W = number of distinct words.
// For every adjacent symbol pair we keep its total count (sum of word frequencies) and the list of
// words it occurs in, so a merge only revisits the words that contain the pair. The best pair is
// found with a max-heap whose entries may be stale: a merge only ever lowers the count of existing
// pairs (new pairs contain the new token), so a popped entry whose count is too high is re-pushed
// with its current count, and one that matches is the true maximum.
#include "tokenizer/bpe_train.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <queue>
#include <unordered_map>
#include <sys/stat.h>
#ifndef __EMSCRIPTEN__
#include <thread>
#endif

#include "tokenizer/tokenizer.h"

typedef std::unordered_map<std::string_view, int64_t> WordCounts;

// ----------------------------------------------------------------------------------------------------
// Counting words

static void words_count(std::string_view text, WordCounts& counts) {
    static const std::string_view EOT = "<|endoftext|>";
    size_t begin = 0;
    while (begin <= text.size()) {  // "<|endoftext|>" separates documents and is never learned from
        size_t end = text.find(EOT, begin);
        if (end == std::string_view::npos) end = text.size();
        std::string_view doc = text.substr(begin, end - begin);
        for (auto r : tokenizer_pretokenize(doc)) counts[doc.substr(r.first, r.second - r.first)]++;
        begin = end + EOT.size();
    }
}

#ifndef __EMSCRIPTEN__
// A split point where the pre-tokenizer always splits: before an ASCII letter that follows '\n'
// (no piece spans a newline and a letter), so chunks can be counted independently.
static size_t chunk_boundary(std::string_view text, size_t pos) {
    for (size_t i = std::max<size_t>(pos, 1); i < text.size(); i++) {
        char c = text[i];
        if (text[i - 1] == '\n' && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) return i;
    }
    return text.size();
}
#endif

static void corpus_count(std::string_view text, int n_threads, WordCounts& counts) {
#ifndef __EMSCRIPTEN__
    if (n_threads > 1 && text.size() > (4u << 20)) {
        std::vector<size_t> cuts = {0};
        for (int t = 1; t < n_threads; t++) cuts.push_back(std::max(cuts.back(), chunk_boundary(text, text.size() * t / n_threads)));
        cuts.push_back(text.size());
        std::vector<WordCounts> part(n_threads);
        std::vector<std::thread> threads;
        for (int t = 0; t < n_threads; t++) {
            threads.emplace_back([&, t]() {
                // a cut inside "<|endoftext|>" is impossible: it contains no '\n'
                words_count(text.substr(cuts[t], cuts[t + 1] - cuts[t]), part[t]);
            });
        }
        for (auto& th : threads) th.join();
        counts = std::move(part[0]);
        for (int t = 1; t < n_threads; t++) for (auto& kv : part[t]) counts[kv.first] += kv.second;
        return;
    }
#endif
    words_count(text, counts);
}

// ----------------------------------------------------------------------------------------------------
// Pair statistics

struct Word {
    std::vector<int> syms;  // current token ids of the word
    int64_t freq;
};

struct PairStat {
    int64_t count = 0;
    std::vector<int> words;  // indices of words that contain (or once contained) the pair
};

static inline uint64_t pair_key(int a, int b) { return ((uint64_t)a << 32) | (uint32_t)b; }

struct HeapEntry {
    int64_t count;
    int left, right;
};

// Orders the heap: highest count first; ties to the pair whose (left bytes, right bytes) sorts first.
struct HeapLess {
    const std::vector<std::string>* bytes;
    bool operator()(const HeapEntry& a, const HeapEntry& b) const {
        if (a.count != b.count) return a.count < b.count;
        int c = (*bytes)[a.left].compare((*bytes)[b.left]);
        if (c != 0) return c > 0;
        return (*bytes)[a.right].compare((*bytes)[b.right]) > 0;
    }
};

bool bpe_train_merges(std::string_view corpus, const BpeTrainOptions& opt, std::vector<std::string>& token_bytes,
                      std::vector<std::pair<int, int>>& merges, std::string& err) {
    if (opt.vocab_size < 257) {
        err = "vocab size must be at least 257 (256 byte tokens + <|endoftext|>)";
        return false;
    }
    std::string clean;
    if (!tokenizer_is_valid_utf8(corpus)) {  // as tokenizer_encode does
        clean = tokenizer_sanitize_utf8(corpus);
        corpus = clean;
    }

    // ids 0..255: bytes in GPT-2's vocabulary order
    int order[256], byte_to_id[256];
    tokenizer_byte_order(order);
    token_bytes.assign(256, std::string());
    for (int k = 0; k < 256; k++) {
        token_bytes[k] = std::string(1, (char)order[k]);
        byte_to_id[order[k]] = k;
    }
    merges.clear();

    WordCounts counts;
    corpus_count(corpus, std::max(1, opt.n_threads), counts);
    // deterministic word order, independent of hashing
    std::vector<std::pair<std::string_view, int64_t>> sorted(counts.begin(), counts.end());
    counts = WordCounts();
    std::sort(sorted.begin(), sorted.end());
    std::vector<Word> words;
    words.reserve(sorted.size());
    for (auto& kv : sorted) {
        if (kv.first.size() < 2) continue;  // nothing to merge in a single byte
        Word w;
        w.freq = kv.second;
        for (unsigned char c : kv.first) w.syms.push_back(byte_to_id[c]);
        words.push_back(std::move(w));
    }
    sorted = {};
    if (opt.verbose) fprintf(stderr, "bpe_train: %zu bytes, %zu distinct words\n", corpus.size(), words.size());

    std::unordered_map<uint64_t, PairStat> pairs;
    pairs.reserve(words.size());
    for (int w = 0; w < (int)words.size(); w++) {
        const Word& word = words[w];
        for (size_t i = 0; i + 1 < word.syms.size(); i++) {
            PairStat& ps = pairs[pair_key(word.syms[i], word.syms[i + 1])];
            ps.count += word.freq;
            if (ps.words.empty() || ps.words.back() != w) ps.words.push_back(w);
        }
    }
    HeapLess less{&token_bytes};
    std::priority_queue<HeapEntry, std::vector<HeapEntry>, HeapLess> heap(less);
    for (auto& kv : pairs) heap.push({kv.second.count, (int)(kv.first >> 32), (int)(uint32_t)kv.first});

    std::vector<int> last_visit(words.size(), -1);  // merge step that last rewrote each word
    std::vector<int> syms;
    std::vector<uint64_t> touched;                  // new pairs of this step (they contain the new id)
    int n_merges = opt.vocab_size - 257;
    while ((int)merges.size() < n_merges && !heap.empty()) {
        HeapEntry top = heap.top();
        heap.pop();
        auto it = pairs.find(pair_key(top.left, top.right));
        int64_t now = it == pairs.end() ? 0 : it->second.count;
        if (now != top.count) {  // stale: counts only drop, so re-queue with the current count
            if (now > 0) heap.push({now, top.left, top.right});
            continue;
        }
        if (top.count < opt.min_pair_count) break;

        int a = top.left, b = top.right, ab = (int)token_bytes.size(), step = (int)merges.size();
        merges.push_back({a, b});
        token_bytes.push_back(token_bytes[a] + token_bytes[b]);
        std::vector<int> where = std::move(it->second.words);
        pairs.erase(it);
        touched.clear();
        for (int w : where) {
            if (last_visit[w] == step) continue;
            last_visit[w] = step;
            Word& word = words[w];
            const std::vector<int>& old = word.syms;
            // rewrite the word, merging (a, b) left to right
            syms.clear();
            bool found = false;
            for (size_t i = 0; i < old.size(); i++) {
                if (i + 1 < old.size() && old[i] == a && old[i + 1] == b) {
                    syms.push_back(ab);
                    i++;
                    found = true;
                } else {
                    syms.push_back(old[i]);
                }
            }
            if (!found) continue;  // the word lost the pair in an earlier merge
            for (size_t i = 0; i + 1 < old.size(); i++) {
                uint64_t k = pair_key(old[i], old[i + 1]);
                if (old[i] == a && old[i + 1] == b) continue;  // erased above
                auto p = pairs.find(k);
                if (p != pairs.end()) p->second.count -= word.freq;
            }
            for (size_t i = 0; i + 1 < syms.size(); i++) {
                uint64_t k = pair_key(syms[i], syms[i + 1]);
                PairStat& ps = pairs[k];
                ps.count += word.freq;
                if (syms[i] == ab || syms[i + 1] == ab) {
                    if (ps.words.empty() || ps.words.back() != w) ps.words.push_back(w);
                    touched.push_back(k);
                }
            }
            word.syms.swap(syms);
        }
        std::sort(touched.begin(), touched.end());
        touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
        for (uint64_t k : touched) {
            auto p = pairs.find(k);
            if (p != pairs.end() && p->second.count > 0) heap.push({p->second.count, (int)(k >> 32), (int)(uint32_t)k});
        }
        if (opt.verbose && (step + 1) % 1000 == 0) {
            fprintf(stderr, "bpe_train: merge %d/%d count %lld\n", step + 1, n_merges, (long long)top.count);
        }
    }
    return true;
}

// ----------------------------------------------------------------------------------------------------
// Writing vocab.json + merges.txt

static void json_escape_append(std::string& out, const std::string& s) {
    for (char c : s) {  // stand-in strings hold no control characters
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
}

static bool file_write(const std::string& path, const std::string& data, std::string& err) {
    FILE* f = fopen(path.c_str(), "wb");
    if (!f) {
        err = "cannot write " + path + ": " + strerror(errno);
        return false;
    }
    bool ok = fwrite(data.data(), 1, data.size(), f) == data.size();
    ok = fclose(f) == 0 && ok;
    if (!ok) err = "error writing " + path;
    return ok;
}

bool bpe_write(const std::string& out_dir, const std::vector<std::string>& token_bytes,
               const std::vector<std::pair<int, int>>& merges, std::string& err) {
    if (mkdir(out_dir.c_str(), 0755) != 0 && errno != EEXIST) {
        err = "cannot create " + out_dir + ": " + strerror(errno);
        return false;
    }
    std::string vocab = "{";
    for (size_t id = 0; id < token_bytes.size(); id++) {
        vocab += id ? ",\n\"" : "\n\"";
        json_escape_append(vocab, tokenizer_bytes_to_unicode(token_bytes[id]));
        vocab += "\": " + std::to_string(id);
    }
    vocab += ",\n\"<|endoftext|>\": " + std::to_string(token_bytes.size()) + "\n}\n";
    std::string text = "#version: 0.2\n";
    for (auto& m : merges) {
        text += tokenizer_bytes_to_unicode(token_bytes[m.first]) + " " + tokenizer_bytes_to_unicode(token_bytes[m.second]) + "\n";
    }
    return file_write(out_dir + "/vocab.json", vocab, err) && file_write(out_dir + "/merges.txt", text, err);
}

bool bpe_train(std::string_view corpus, const BpeTrainOptions& opt, const std::string& out_dir, std::string& err) {
    std::vector<std::string> token_bytes;
    std::vector<std::pair<int, int>> merges;
    return bpe_train_merges(corpus, opt, token_bytes, merges, err) && bpe_write(out_dir, token_bytes, merges, err);
}
