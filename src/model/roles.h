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
    const char* top_role() const;  // the name of the highest score ("previous_token", ...)
    float top_score() const;
};

// The repeated random sequences ([eot, s, s]); n receives the length of s.
std::vector<std::vector<int>> role_probes(const GPT2Config& cfg, int count, uint64_t seed, int& n);
// Scores every head (layer-major). text_ids may be empty. False + err if a forward fails.
bool head_roles(const Model& m, const std::vector<int>& text_ids, std::vector<HeadRoles>& out, std::string& err,
                int count = 4, uint64_t seed = 1);
