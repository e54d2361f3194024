// Head roles: what each head is for, scored on documented probes (the Model grid's badges and
// `attnlab heads`).
//
// Probes: `count` seeded sequences [<|endoftext|>, s, s] where s is n random token ids (n = min(50,
// (n_positions - 1) / 2), ids uniform in [256, V - 1) when V > 512, else [0, V - 1); splitmix64 from
// `seed`), plus the text when one is given. Each score is a mean attention weight over queries:
//   previous_token   w[t][t-1], t >= 1                       (probes and text)
//   duplicate_token  w[q][q-n] for q in the second copy       (probes: the same token earlier)
//   induction        w[q][q-n+1] for q in the second copy     (probes: the token after the earlier copy)
//   first_token      w[t][0], t >= 1                          (probes and text: the attention sink)
//   self             w[t][t], t >= 1                          (probes and text)
//   local            w[t][t-3] + w[t][t-2] + w[t][t-1], t >= 3 (probes and text)
// Sequences count equally: a score is the mean of each sequence's mean.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "model/model.h"

struct HeadRoles {
    int layer = 0, head = 0;
    float previous_token = 0, duplicate_token = 0, induction = 0, first_token = 0, self = 0, local = 0;
    // The role that stands out most: the largest (score - u) / (1 - u), where u is what a head that
    // spreads its attention evenly over the visible keys would score on the same sequences (local sums
    // three keys, so its raw score is not comparable with the one-key roles).
    const char* top_role(const HeadRoles& uniform) const;
    float top_score(const HeadRoles& uniform) const;  // that role's raw score
};

// The repeated random sequences ([eot, s, s]); n receives the length of s.
std::vector<std::vector<int>> role_probes(const GPT2Config& cfg, int count, uint64_t seed, int& n);
// Scores every head (layer-major). text_ids may be empty. uniform (optional) receives the scores of a
// head attending evenly, on the same sequences. False + err if a forward fails.
bool head_roles(const Model& m, const std::vector<int>& text_ids, std::vector<HeadRoles>& out, std::string& err,
                int count = 4, uint64_t seed = 1, HeadRoles* uniform = nullptr);

// "Heads like this one": every other head ranked by how alike its attention pattern is on the captured
// text: the cosine similarity of the two heads' [T, T] weights (the rows are non-negative, so 1 is the
// same pattern and 0 no overlap), best first. Empty when the capture has no weights or (layer, head)
// is out of range.
struct HeadSimilarity {
    int layer = 0, head = 0;
    float similarity = 0;
};
std::vector<HeadSimilarity> heads_like(const Capture& cap, int layer, int head);
