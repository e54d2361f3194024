#!/usr/bin/env python3
"""Simple everyday English for the training corpus (written for Attention Lab; CC0).

Short stories and dialogues that exercise what the page shows:
  * pronoun coreference   "I saw a dog and a cat. It was barking."
  * because / cause       "I stayed home cause it was raining."  (and "a good cause", "the cause of")
  * questions             "How do you work?"  "Where is my key?"
  * possession            "I have a dog. My dog is called Max."
  * words repeated across turns in a conversation.
v2 (the model with a 256-token window) adds long documents (about 800-1200 characters, a 256-token window) with a
recurring cast: multi-turn dialogues (two or three speakers) and short stories in which the same
people, pet, object and town come back turn after turn; pronouns refer to a named person or an earlier
noun; later turns refer back to earlier ones ("You said the kite was yellow.", "Like Olga said, ...").
Many names are invented from syllables ("Mikoleth", "Brilpamby"), so that their later tokens can only be
predicted by copying them from earlier in the window. Nothing is deliberately copied: repetition comes
from the story. About a quarter of the documents are still the short v1 stories and dialogues
("I saw a dog and a cat. It was barking.", "I stayed home cause it was raining.").
The vocabulary is broad (hundreds of nouns, verbs, adjectives, names) and sentences are assembled
from many independent pieces, so the text is varied rather than a toy grammar.

usage: gen_everyday.py --bytes N --seed S > everyday.txt   (documents separated by <|endoftext|>)
"""
import argparse
import random
import sys

# ---- vocabulary -------------------------------------------------------------------------------------

ANIMALS = {  # noun: things only this kind of animal does (progressive), sound verb
    "dog": ["barking", "wagging its tail", "chewing a bone", "digging in the garden", "fetching the ball"],
    "cat": ["purring", "meowing", "licking its paws", "chasing a mouse", "sleeping on the sofa"],
    "bird": ["singing", "building a nest", "flapping its wings", "pecking at the seeds"],
    "horse": ["galloping", "neighing", "eating hay", "pulling the cart"],
    "cow": ["mooing", "chewing grass", "standing in the field"],
    "duck": ["quacking", "swimming in the pond", "diving for food"],
    "fish": ["swimming in circles", "blowing bubbles"],
    "frog": ["croaking", "jumping from leaf to leaf"],
    "owl": ["hooting", "watching us from the tree"],
    "sheep": ["bleating", "eating the grass"],
    "rabbit": ["nibbling a carrot", "hopping around the garden"],
    "mouse": ["squeaking", "hiding under the table"],
    "goat": ["climbing the rocks", "eating the fence"],
    "pig": ["rolling in the mud", "grunting"],
    "hen": ["laying an egg", "clucking"],
    "bee": ["buzzing", "flying from flower to flower"],
    "puppy": ["chewing my shoe", "barking at the postman"],
    "kitten": ["playing with a ball of wool", "climbing the curtains"],
    "squirrel": ["hiding nuts", "running up the tree"],
    "parrot": ["repeating every word", "talking to itself"],
}
ANIMAL_NAMES = ["Max", "Bella", "Luna", "Charlie", "Daisy", "Rocky", "Milo", "Coco", "Biscuit", "Pepper",
                "Shadow", "Ginger", "Oscar", "Rosie", "Buddy", "Toby", "Misty", "Sunny", "Whiskers", "Bruno"]

OBJECTS = {  # noun: states that fit it
    "umbrella": ["wet", "broken", "open"], "book": ["heavy", "boring", "funny", "old"],
    "phone": ["ringing", "broken", "dead", "new"], "bike": ["broken", "fast", "new", "rusty"],
    "car": ["dirty", "broken", "fast", "old"], "cup": ["empty", "full", "hot", "chipped"],
    "key": ["lost", "small", "bent"], "coat": ["warm", "wet", "too big"], "bag": ["heavy", "full", "empty"],
    "lamp": ["bright", "broken", "on"], "letter": ["long", "short", "sad", "funny"],
    "kite": ["stuck in a tree", "torn", "high in the sky"], "camera": ["new", "broken", "expensive"],
    "clock": ["slow", "fast", "loud", "broken"], "guitar": ["out of tune", "new", "old"],
    "computer": ["slow", "new", "broken"], "box": ["empty", "heavy", "full"], "hat": ["too small", "new", "red"],
    "ball": ["flat", "lost", "new"], "chair": ["broken", "comfortable", "wobbly"],
    "window": ["open", "closed", "dirty"], "door": ["locked", "open", "stuck"],
    "soup": ["hot", "cold", "salty", "delicious"], "cake": ["sweet", "delicious", "burnt"],
    "bread": ["fresh", "stale", "warm"], "tea": ["hot", "cold", "sweet"], "watch": ["slow", "new", "broken"],
    "map": ["old", "wrong", "useful"], "radio": ["loud", "broken", "on"], "bed": ["soft", "warm", "too short"],
}
COLOURS = ["red", "blue", "green", "yellow", "black", "white", "brown", "grey", "orange", "purple", "pink"]
SIZES = ["big", "small", "little", "old", "new", "heavy", "light", "long", "short"]

PEOPLE = [("Anna", "she"), ("Ben", "he"), ("Tom", "he"), ("Sara", "she"), ("Maria", "she"), ("Sam", "he"),
          ("Lucy", "she"), ("David", "he"), ("Emma", "she"), ("Jack", "he"), ("Lily", "she"), ("Omar", "he"),
          ("Mia", "she"), ("Leo", "he"), ("Nina", "she"), ("Paul", "he"), ("Rosa", "she"), ("Ken", "he"),
          ("Zoe", "she"), ("Ravi", "he"), ("Grace", "she"), ("Hugo", "he"), ("Ada", "she"), ("Peter", "he"),
          ("Ellen", "she"), ("Amir", "he"), ("Ivy", "she"), ("Noah", "he"), ("Chloe", "she"), ("Ali", "he"),
          ("Hannah", "she"), ("Daniel", "he"), ("Julia", "she"), ("Mark", "he"), ("Olga", "she"), ("Yusuf", "he")]
RELATIVES = [("my mother", "she"), ("my father", "he"), ("my sister", "she"), ("my brother", "he"),
             ("my aunt", "she"), ("my uncle", "he"), ("my grandmother", "she"), ("my grandfather", "he"),
             ("my friend", "they"), ("our neighbour", "they"), ("the teacher", "she"), ("the doctor", "he"),
             ("the baker", "he"), ("the driver", "she"), ("my cousin", "he"), ("the old man", "he"),
             ("the little girl", "she"), ("the farmer", "he"), ("the nurse", "she"), ("my boss", "she")]
PRON = {"he": ("he", "him", "his", "was", "has", "is"), "she": ("she", "her", "her", "was", "has", "is"),
        "they": ("they", "them", "their", "were", "have", "are"), "i": ("I", "me", "my", "was", "have", "am"),
        "we": ("we", "us", "our", "were", "have", "are"), "you": ("you", "you", "your", "were", "have", "are")}

PLACES = ["the park", "the shop", "school", "the beach", "the library", "the station", "the market",
          "the garden", "the kitchen", "the river", "the forest", "the city", "work", "the office", "the farm",
          "the hospital", "the museum", "the cinema", "the bakery", "the lake", "the hill", "the village",
          "the bus stop", "the post office", "the playground", "the zoo", "the café", "the bank", "the harbour"]
WEATHER = [("it was raining", "the rain"), ("it was snowing", "the snow"), ("it was cold", "the cold"),
           ("it was too hot", "the heat"), ("it was windy", "the wind"), ("it was dark", "the dark"),
           ("it was foggy", "the fog"), ("there was a storm", "the storm"), ("it was late", "the hour")]
ACTIVITIES = ["read a book", "cook dinner", "walk the dog", "clean the room", "play football", "watch a film",
              "write a letter", "fix the bike", "paint the fence", "bake bread", "wash the car", "call a friend",
              "visit my aunt", "plant some flowers", "feed the cat", "learn French", "sing a song", "take a nap",
              "go swimming", "go shopping", "do the homework", "make tea", "tidy the garden", "play chess",
              "draw a picture", "listen to music", "go for a run", "catch the bus", "pick apples", "build a shed"]
PAST = {"read a book": "read a book", "cook dinner": "cooked dinner", "walk the dog": "walked the dog",
        "clean the room": "cleaned the room", "play football": "played football", "watch a film": "watched a film",
        "write a letter": "wrote a letter", "fix the bike": "fixed the bike", "paint the fence": "painted the fence",
        "bake bread": "baked bread", "wash the car": "washed the car", "call a friend": "called a friend",
        "visit my aunt": "visited my aunt", "plant some flowers": "planted some flowers",
        "feed the cat": "fed the cat", "learn French": "learned French", "sing a song": "sang a song",
        "take a nap": "took a nap", "go swimming": "went swimming", "go shopping": "went shopping",
        "do the homework": "did the homework", "make tea": "made tea", "tidy the garden": "tidied the garden",
        "play chess": "played chess", "draw a picture": "drew a picture", "listen to music": "listened to music",
        "go for a run": "went for a run", "catch the bus": "caught the bus", "pick apples": "picked apples",
        "build a shed": "built a shed"}
FEELINGS = [("happy", ["my friend came to visit", "the sun came out", "I passed the test", "we won the game",
                       "the cake was delicious", "my sister called me"]),
            ("sad", ["my cat was ill", "the shop was closed", "we lost the game", "my friend moved away",
                     "the holiday was over"]),
            ("tired", ["I worked all day", "the baby cried all night", "we walked ten miles", "I got up at five"]),
            ("angry", ["the bus was late again", "someone took my bike", "the neighbour was so loud"]),
            ("hungry", ["I skipped lunch", "we had no bread", "dinner was late"]),
            ("scared", ["the house was dark", "we heard a strange noise", "the dog was growling"]),
            ("late", ["the train was slow", "I missed the bus", "my alarm did not ring"]),
            ("cold", ["the window was open", "I forgot my coat", "the heating was broken"])]
STAYED = [("stayed home", "went out"), ("stayed inside", "went to the park"), ("took the bus", "walked"),
          ("wore a coat", "wore a shirt"), ("closed the window", "opened the window"),
          ("took an umbrella", "left the umbrella at home"), ("made some soup", "made a salad"),
          ("lit the fire", "sat in the garden"), ("drove to work", "cycled to work")]
GOOD_CAUSES = ["a good cause", "a worthy cause", "a noble cause", "a lost cause", "the cause of the fire",
               "the cause of the delay", "the cause of the problem", "a common cause", "the cause of the noise"]
QUESTIONS = [
    ("How do you work?", ["I work with my hands.", "I work at the hospital.", "I read the words and guess the next one.",
                          "Slowly, one step at a time.", "I work from home on Mondays."]),
    ("How are you?", ["I am fine, thank you.", "Not bad. A little tired.", "Very well, thanks. And you?"]),
    ("Where do you live?", ["I live near the river.", "In a small house by the station.", "In the city, on a busy street."]),
    ("What do you do?", ["I am a teacher.", "I work in a bakery.", "I drive a bus.", "I fix computers."]),
    ("Do you have a pet?", ["Yes, I have a dog.", "I have two cats.", "No, but my sister has a rabbit."]),
    ("What time is it?", ["It is almost nine.", "It is half past four.", "I don't know. My watch is broken."]),
    ("Why are you late?", ["The bus was late.", "I missed the train.", "I could not find my keys."]),
    ("Can you help me?", ["Of course. What do you need?", "Yes, give me a minute.", "Sorry, I am busy now."]),
    ("What is your name?", ["My name is {name}.", "I am {name}.", "People call me {name}."]),
    ("Where is the station?", ["It is next to the bank.", "Go straight and turn left.", "It is not far from here."]),
    ("What are you doing?", ["I am cooking dinner.", "I am reading a book.", "Nothing much. Just resting."]),
    ("Did you sleep well?", ["Yes, very well.", "Not really. The dog was barking all night."]),
]


def a_an(word):
    return ("an " if word[0] in "aeiou" else "a ") + word


def cap(s):
    return s[0].upper() + s[1:] if s else s


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def pick(self, xs):
        return self.r.choice(xs)

    def person(self):
        return self.pick(PEOPLE) if self.r.random() < 0.6 else self.pick(RELATIVES)

    def two_animals(self):
        a, b = self.r.sample(sorted(ANIMALS), 2)
        return a, b

    # ---- single ideas (each returns a list of sentences) ---------------------------------------------

    def coref_animals(self, subj=None, where=None):
        a, b = self.two_animals()
        act = self.pick(ANIMALS[a])
        verb = self.pick(["saw", "heard", "found", "met", "noticed", "watched"])
        if where is None:
            where = self.pick(["", " in " + self.pick(PLACES), " near " + self.pick(PLACES), " outside"])
        thinker = "I think" if subj is None else subj + " thought"
        if subj is None:
            subj = self.pick(["I", "We", "My brother", "Anna", "The children", "Tom"])
        first = f"{subj} {verb} {a_an(a)} and {a_an(b)}{where}."
        if self.r.random() < 0.5:
            first = f"{subj} {verb} {a_an(b)} and {a_an(a)}{where}."
        out = [first, f"It was {act}."]
        r = self.r.random()
        if r < 0.4:
            out.append(f"The {a} was {self.pick(ANIMALS[a])} too, and the {b} was {self.pick(ANIMALS[b])}.")
        elif r < 0.7:
            out.append(f"The {b} did not care. It was {self.pick(ANIMALS[b])}.")
        else:
            out.append(f"{thinker} the {a} was {self.pick(['hungry', 'happy', 'bored', 'scared', 'excited'])}.")
        return out

    def coref_people(self):
        (n1, p1), (n2, p2) = self.r.sample([p for p in PEOPLE], 2)
        while p1 == p2 and self.r.random() < 0.7:
            n2, p2 = self.pick(PEOPLE)
        obj = self.pick(sorted(OBJECTS))
        place = self.pick(PLACES)
        s1, o1, g1 = PRON[p1][0], PRON[p1][1], PRON[p1][2]
        s2, o2, g2 = PRON[p2][0], PRON[p2][1], PRON[p2][2]
        out = [f"{n1} met {n2} at {place}."]
        r = self.r.random()
        if r < 0.33:
            out.append(f"{cap(s1)} gave {o2 if p1 != p2 else n2} {a_an(obj)}.")
            out.append(f"{cap(s2) if p1 != p2 else n2} said thank you and put it in {g2} bag.")
        elif r < 0.66:
            out.append(f"{cap(s2) if p1 != p2 else n2} asked {o1 if p1 != p2 else n1} about {g1 if p1 != p2 else n1 + chr(39) + 's'} {obj}.")
            st = self.pick(OBJECTS[obj])
            out.append(f"\"It is {st},\" {s1 if p1 != p2 else n1} said.")
        else:
            act = self.pick(ACTIVITIES)
            out.append(f"They wanted to {act} together, but {n2} had to go home.")
            out.append(f"{cap(s1)} was {self.pick(['sad', 'a little sad', 'not happy', 'fine with it'])}.")
        return out

    def because(self):
        conj = self.pick(["cause", "because", "because", "cause", "since", "'cause"])
        r = self.r.random()
        subj = self.pick(["I", "We", "She", "He", "They", "My father", "Anna", "The children"])
        if r < 0.45:
            (did, other) = self.pick(STAYED)
            wx, wn = self.pick(WEATHER)
            s = [f"{subj} {did} {conj} {wx}."]
            if self.r.random() < 0.5:
                low = subj if subj in ("I", "Anna") else subj[0].lower() + subj[1:]
                done = (other.replace("went", "gone").replace("took", "taken").replace("wore", "worn")
                        .replace("drove", "driven").replace("left", "left"))
                s.append(f"Otherwise {low} would have {done}.")
            return s
        if r < 0.8:
            feel, reasons = self.pick(FEELINGS)
            be = "was" if subj not in ("We", "They", "The children") else "were"
            reason = self.pick(reasons)
            if subj not in ("I",):
                reason = reason.replace("I ", subj.lower() + " " if subj in ("We", "They") else "I ")
            return [f"{subj} {be} {feel} {conj} {reason}."]
        if r < 0.9:
            return [f"Why did you {self.pick(ACTIVITIES)}?", f"{cap(conj.strip(chr(39)))} {self.pick(WEATHER)[0]}."]
        c = self.pick(GOOD_CAUSES)
        if c.startswith("the cause"):
            return [f"Nobody knew {c}.", f"Later we learned that it was {self.pick(['a candle', 'the wind', 'an old wire', 'a small mistake', 'the dog'])}."]
        return [f"{subj} gave money to {c}.", f"It was {self.pick(['worth it', 'important to them', 'a kind thing to do'])}."]

    def possession(self):
        who = self.pick(["i", "we", "he", "she", "they", "you"])
        s, o, g, be, have, is_ = PRON[who]
        a = self.pick(sorted(ANIMALS))
        name = self.pick(ANIMAL_NAMES)
        out = []
        r = self.r.random()
        if r < 0.5:
            num = self.pick(["a", "a", "two", "three", "an old", "a young"])
            plural = {"sheep": "sheep", "fish": "fish", "mouse": "mice", "puppy": "puppies"}.get(a, a + "s")
            noun = a if num in ("a", "an old", "a young") else plural
            if num == "a":
                noun_phrase = a_an(a)
            else:
                noun_phrase = f"{num} {noun}"
            out.append(f"{cap(s)} {have} {noun_phrase}.")
            if num in ("a", "an old", "a young"):
                out.append(f"{cap(g)} {a} is called {name}.")
                out.append(f"{name} likes {self.pick(ANIMALS[a]).replace('its ', 'its ')} in the morning."
                           .replace("likes ", "likes ", 1))
        else:
            obj = self.pick(sorted(OBJECTS))
            col = self.pick(COLOURS)
            out.append(f"{cap(s)} {have} {a_an(col + ' ' + obj)}.")
            out.append(f"{cap(g)} {obj} is {self.pick(OBJECTS[obj])}.")
            if self.r.random() < 0.5:
                n, _ = self.pick(PEOPLE)
                out.append(f"Whose {obj} is this? It is {n}'s {obj}.")
        return out

    def question_pair(self):
        q, answers = self.pick(QUESTIONS)
        a = self.pick(answers).replace("{name}", self.pick(PEOPLE)[0])
        return [q, a]

    def day(self):
        who = self.pick(["i", "we", "he", "she", "they"])
        s, o, g, be, have, is_ = PRON[who]
        acts = self.r.sample(ACTIVITIES, 3)
        t = self.pick(["In the morning", "Yesterday", "On Sunday", "Last week", "After school", "Today"])
        out = [f"{t} {s} {PAST[acts[0]]}."]
        out.append(f"Then {s} {PAST[acts[1]]} and {PAST[acts[2]]}.".replace("my aunt", g + " aunt"))
        if self.r.random() < 0.5:
            out.append(f"{cap(s)} {be} {self.pick(['tired', 'happy', 'busy', 'hungry'])} in the evening.")
        return out

    # ---- documents ---------------------------------------------------------------------------------

    def story(self):
        parts = [self.coref_animals, self.coref_people, self.because, self.possession, self.day]
        sents = []
        for _ in range(self.r.randint(2, 5)):
            sents += self.pick(parts)()
        return " ".join(sents)

    def dialogue(self):
        (n1, _), (n2, _) = self.r.sample(PEOPLE, 2)
        lines = []
        # a word said early comes back later: the model sees repetition across turns
        obj = self.pick(sorted(OBJECTS))
        col = self.pick(COLOURS)
        a, b = self.two_animals()
        wx = self.pick(WEATHER)[0].replace("it was", "it is").replace("there was", "there is")
        turns = [
            (n1, f"Have you seen my {col} {obj}?"),
            (n2, self.pick([f"Your {col} {obj}? I think it is in {self.pick(PLACES)}.",
                            f"No. When did you last have the {obj}?",
                            f"The {obj}? {cap(self.pick(RELATIVES)[0])} took it this morning."])),
            (n1, self.pick([f"I need the {obj} cause {wx}.", f"I need it because {wx}.",
                            f"Thanks. I looked for the {obj} everywhere."])),
            (n2, self.pick([f"I saw {a_an(a)} and {a_an(b)} near the door. It was {self.pick(ANIMALS[a])}.",
                            f"Do you have {a_an(a)}? I heard it was {self.pick(ANIMALS[a])}.",
                            f"How do you lose a {obj} every week?"])),
            (n1, self.pick([f"That is my {a}. It always does that.", "I don't know. I just do.",
                            f"Yes, I have {a_an(a)}. Its name is {self.pick(ANIMAL_NAMES)}."])),
        ]
        if self.r.random() < 0.5:
            q, ans = self.question_pair()
            turns.append((n2, q))
            turns.append((n1, ans))
        if self.r.random() < 0.5:
            turns.append((n2, f"Well, I hope you find your {col} {obj} soon."))
        style = self.r.random()
        for who, text in turns:
            if style < 0.6:
                lines.append(f"{who}: {text}")
            else:
                if text.endswith("?"):
                    lines.append(f"\"{text}\" asked {who}.")
                else:
                    verb = self.pick(["said", "said", "replied", "answered"])
                    lines.append(f"\"{text[:-1]},\" {verb} {who}.")
        return "\n".join(lines)

    def document(self):
        return self.dialogue() if self.r.random() < 0.4 else self.story()


# ---- v2: long documents with a recurring cast ------------------------------------------------------
# Invented names are built from syllables so that they are rare, multi-token words: a model can only
# predict their later tokens by copying them from earlier in the same window.

ONSETS = ["b", "br", "d", "dr", "f", "g", "k", "l", "m", "n", "p", "r", "s", "sh", "t", "th", "v", "z", "j", "h",
          "t", "k", "m", "l", "r", "v", "z", "n"]
VOWELS = ["a", "e", "i", "o", "u", "a", "e", "o", "i", "a", "ae", "ei"]
CODAS_MID = ["", "", "", "", "", "l", "r", "n", "s", "m", "rv", "lk"]
CODAS_END = ["", "", "", "n", "r", "th", "x", "sh", "l", "k", "s", "nd", "m"]
TOWN_SUFFIXES = ["ford", "wick", "mere", "holm", "by", "dale", "stead", "ton", "moor", "haven", "bridge", "field"]
TOWN_PLACES = ["the market", "the station", "the harbour", "the old bridge", "the library", "the bakery",
               "the square", "the museum", "the park", "the post office"]
PUBLIC_PLACES = ["the park", "the station", "the market", "the library", "the museum", "the bus stop",
                 "the post office", "the café", "the bank", "the harbour", "the bakery", "the cinema", "the zoo",
                 "the playground", "the beach"]  # "at X", "the bus from X" both read well
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
RELATIONS = ["cousin", "aunt", "uncle", "neighbour", "friend", "teacher", "grandmother", "grandfather",
             "sister", "brother"]
REL_GENDER = {"aunt": "she", "uncle": "he", "grandmother": "she", "grandfather": "he", "sister": "she",
              "brother": "he"}
JOBS = ["works at the bakery", "drives a bus", "teaches music", "fixes bikes", "runs a small shop",
        "works at the hospital", "builds boats", "grows apples on a farm", "writes for the newspaper",
        "works at the library", "repairs clocks", "paints houses"]
ANIMAL_ADJ = ["friendly", "lazy", "clever", "shy", "noisy", "very old", "always hungry", "quite small"]
NUMBERS = ["two", "three", "four", "five", "six", "ten"]
WEATHER_NOW = ["it is raining", "it is cold", "it is windy", "it is snowing", "it is going to rain",
               "it is very hot today"]
LOST = {  # objects someone can lose: reasons to need them now ({wx} = the weather)
    "umbrella": ["{wx}"], "coat": ["{wx}"], "hat": ["{wx}"], "kite": ["it is windy today"],
    "book": ["I have to take it back to the library", "I want to finish it tonight"],
    "phone": ["I have to call my mother", "my brother is going to call me"],
    "key": ["I cannot open the door without it", "it is the key to the shed"],
    "bag": ["all my books are in it", "my lunch is in it"], "map": ["we are going to {town} tomorrow"],
    "camera": ["I want to take pictures in {town}"], "watch": ["I don't want to be late again"],
    "ball": ["we are playing football after school"], "letter": ["I have to post it today"],
    "guitar": ["I have a lesson at five"], "radio": ["I want to hear the news"],
}
LOST_PAST = {  # the same reasons in a story about {s}/{p}, past tense ({wx} = the weather)
    "umbrella": ["{wx}"], "coat": ["{wx}"], "hat": ["{wx}"], "kite": ["it was windy"],
    "book": ["{s} had to take it back to the library", "{s} wanted to finish it"],
    "phone": ["{s} had to call {p} mother"], "key": ["{s} could not open the shed without it"],
    "bag": ["all {p} books were in it", "{p} lunch was in it"], "map": ["{s} was going on a long walk"],
    "camera": ["{s} wanted to take pictures at the lake"], "watch": ["{s} did not want to be late again"],
    "ball": ["{s} was playing football after school"], "letter": ["{s} had to post it that day"],
    "guitar": ["{s} had a lesson at five"], "radio": ["{s} wanted to hear the news"],
}
FITS = {  # STAYED action -> the WEATHER reasons that make sense for it
    "stayed home": ["raining", "snowing", "cold", "windy", "storm", "foggy", "dark"],
    "stayed inside": ["raining", "snowing", "cold", "hot", "windy", "storm"],
    "took the bus": ["raining", "snowing", "cold", "hot", "late", "dark", "storm"],
    "wore a coat": ["raining", "snowing", "cold", "windy"],
    "closed the window": ["raining", "snowing", "cold", "windy", "storm", "foggy"],
    "took an umbrella": ["raining", "storm"], "made some soup": ["cold", "snowing"],
    "lit the fire": ["cold", "snowing", "dark"],
    "drove to work": ["raining", "snowing", "cold", "storm", "late", "hot", "windy"],
}
EXCLUDE_WORDS = {"bath", "bone", "tone", "stone", "shore", "there", "thorn", "trash", "dross", "flash", "brand",
                 "grand", "stand", "study", "shady", "baby", "bury", "lady", "pony", "tony", "mary", "zero"}


def gerund(act):
    verb, _, rest = act.partition(" ")
    if verb in ("make", "bake", "write", "take"):
        verb = verb[:-1]
    return (verb + "ing " + rest).strip()


class Person:
    def __init__(self, name, g):
        self.name, self.g = name, g
        self.s, self.o, self.p = PRON[g][0], PRON[g][1], PRON[g][2]
        self.S, self.P = cap(self.s), cap(self.p)


class Gen2(Gen):
    def invented(self, n_syl=None):
        while True:
            n = n_syl or self.pick([2, 2, 2, 3])
            w = ""
            for i in range(n):
                onset = "" if i == 0 and self.r.random() < 0.15 else self.pick(ONSETS)
                if i > 0 and not onset and w[-1] in "aeiouy":
                    onset = self.pick(ONSETS)
                coda = self.pick(CODAS_END if i == n - 1 else CODAS_MID)
                w += onset + self.pick(VOWELS) + coda
            if 5 <= len(w) <= 8 and w not in EXCLUDE_WORDS and not w.startswith("y") and "yy" not in w:
                return cap(w)

    def town(self):
        return self.invented(2) + self.pick(TOWN_SUFFIXES)

    def person_new(self, used, invented_p=0.45):
        while True:
            if self.r.random() < invented_p:
                p = Person(self.invented(), self.pick(["he", "she"]))
            else:
                p = Person(*self.pick(PEOPLE))
            if p.name not in used:
                used.add(p.name)
                return p

    def cast(self):
        used = set()
        d = {}
        d["A"] = self.person_new(used, 0.35)
        d["B"] = self.person_new(used, 0.35)
        d["D"] = self.person_new(used, 0.35) if self.r.random() < 0.3 else None
        # the third person, talked about but not speaking: invented name more often
        d["C"] = self.person_new(used, 0.7)
        d["obj"] = self.pick(sorted(LOST))
        d["col"] = self.pick(COLOURS)
        d["col2"] = self.pick([c for c in COLOURS if c != d["col"]])
        d["animal"] = self.pick(["dog", "cat", "rabbit", "parrot", "horse", "goat", "duck", "puppy", "kitten"])
        d["pet"] = self.invented(2) if self.r.random() < 0.6 else self.pick(ANIMAL_NAMES)
        d["town"] = self.town()
        d["tplace"] = self.pick(TOWN_PLACES)
        d["place"] = self.pick(PUBLIC_PLACES)
        d["day"], d["pastday"] = self.r.sample(DAYS, 2)
        d["job"] = self.pick(JOBS)
        d["act"] = self.pick(ACTIVITIES)
        d["found"] = False
        d["facts"] = []
        d["relname"] = self.pick([r for r in RELATIONS if REL_GENDER.get(r, d["C"].g) == d["C"].g])
        return d

    def stayed_because(self):
        did, other = self.pick(STAYED)
        wx = self.pick([w for w, _ in WEATHER if any(k in w for k in FITS[did])])
        return did, other, wx

    def need(self, d):
        return self.pick(LOST[d["obj"]]).replace("{wx}", self.pick(WEATHER_NOW)).replace("{town}", d["town"])

    def need_past(self, d, p):
        wx = self.pick(["it was raining", "it was cold", "it was windy", "it was snowing", "it was very hot"])
        return self.pick(LOST_PAST[d["obj"]]).replace("{wx}", wx).replace("{s}", p.s).replace("{p}", p.p)

    # each segment returns turns [(speaker, text)] where speaker is "A"/"B"/"D" and the listener is the other
    def seg_lost(self, d):
        A, B, C, o, c = d["A"], d["B"], d["C"], d["obj"], d["col"]
        d["facts"].append("lost")
        return [("A", f"Have you seen my {c} {o}?"),
                ("B", self.pick([f"Your {c} {o}? No. When did you last have it?",
                                 f"No. Where did you last see it?", f"Is it the {o} you had at {d['place']}?"])),
                ("A", self.pick([f"I had it at {d['place']} this morning. I need it cause {self.need(d)}.",
                                 f"I had it yesterday. I need the {o} because {self.need(d)}.",
                                 f"I think I left it at {d['place']}. I need it because {self.need(d)}."])),
                ("B", self.pick([f"Maybe {C.name} has it. {C.S} was at {d['place']} yesterday.",
                                 f"Ask {C.name}. {C.S} finds everything.",
                                 f"I saw {C.name} with {a_an(c + ' ' + o)} this morning. Maybe {C.s} took yours by mistake."])),
                ("A", self.pick([f"I will ask {C.o} when {C.s} gets back.", f"Then I will call {C.name} tonight.",
                                 f"{C.name}? {C.S} never takes my things."]))]

    def seg_person(self, d):
        C = d["C"]
        if "lost" in d["facts"]:  # A has heard of C already
            out = [("A", self.pick([f"How do you know {C.name}, by the way?", f"Tell me again, who is {C.name}?"]))]
        else:
            out = [("B", self.pick([f"Do you know {C.name}?", f"Have you met {C.name}?"])),
                   ("A", self.pick([f"No. Who is {C.name}?", f"I don't think so. Who is {C.s}?",
                                    f"The name sounds familiar. Who is {C.s}?"]))]
        d["facts"].append("person")
        out += [
               ("B", f"{C.S} is my {d['relname']} from {d['town']}. {C.S} {d['job']}."),
               ("A", f"What does {C.name} like to do?"),
               ("B", f"{C.S} likes {gerund(d['act'])}. And {C.s} has {a_an(d['animal'])} called {d['pet']}.")]
        d["facts"].append("pet")
        return out

    def seg_pet(self, d):
        C, pet, an = d["C"], d["pet"], d["animal"]
        acts = ANIMALS.get(an, ANIMALS["dog"])
        out = []
        if "pet" not in d["facts"]:
            out.append(("A", f"{C.name} has {a_an(an)} called {pet}."))
            d["facts"].append("pet")
        act = self.pick(acts)
        out += self.pick([[("B", self.pick([f"What is {pet} like?", f"Is {pet} nice?"])),
                           ("A", f"{pet} is {self.pick(ANIMAL_ADJ)}. Yesterday {pet} was {act} all morning.")],
                          [("B", f"How old is {pet}?"),
                           ("A", f"{pet} is {self.pick(NUMBERS)} years old. Yesterday {pet} was {act} all morning.")]])
        out += [
                ] + self.pick([
                    [("B", f"I saw {a_an(an)} at {d['place']} last week. It was {act}. Was that {pet}?"),
                     ("A", self.pick([f"Yes, that was {pet}. {C.name} takes {pet} everywhere.",
                                      f"Maybe. {pet} goes everywhere with {C.name}."]))],
                    [("B", f"Does {pet} live with {C.name} in {d['town']}?"),
                     ("A", f"Yes. {pet} sleeps in {C.p} kitchen, next to the stove.")]])
        return out

    def seg_trip(self, d):
        C, town = d["C"], d["town"]
        d["facts"].append("trip")
        return [("B", f"Are you going to {town} on {d['day']}?"),
                ("A", self.pick([f"Yes. {C.name} lives in {town}, so I will visit {C.o}.",
                                 f"I hope so. I want to see {C.name} and the market in {town}."])),
                ("B", f"How do you get to {town}?"),
                ("A", f"I take the bus from {d['place']}. It takes {self.pick(NUMBERS)} hours, but the bus is cheap."),
                ("B", self.pick([f"Say hello to {C.name} from me.", f"I went to {town} once. I liked {d['tplace']}."]))]

    def seg_because(self, d):
        did, other, wx = self.stayed_because()
        conj = self.pick(["cause", "because", "cause"])
        return [("B", f"What did you do on {d['pastday']}?"),
                ("A", f"I {did} {conj} {wx}."),
                ("B", self.pick([f"Me too. I {did} as well.", f"Really? I {other}.",
                                 f"I know. Everybody {did} on {d['pastday']}."]))]

    def seg_animals(self, d):
        a, b = self.two_animals()
        act = self.pick(ANIMALS[a])
        return [("B", f"I saw {a_an(a)} and {a_an(b)} at {d['place']}. It was {act}."),
                ("A", f"The {a} was {act}?"),
                ("B", self.pick([f"Yes, the {a}. The {b} was {self.pick(ANIMALS[b])}.",
                                 f"Yes. The {b} was not doing anything."]))]

    def seg_question(self, d):
        q, answers = self.pick([qa for qa in QUESTIONS if qa[0] != "What is your name?"])
        a = self.pick(answers).replace("{name}", d["A"].name)
        return [("B", q), ("A", a)]

    def callbacks(self, d):
        A, B, C, o, c = d["A"], d["B"], d["C"], d["obj"], d["col"]
        out = []
        if "lost" in d["facts"]:
            out.append(self.pick([
                [("B", f"Wait. You said the {o} was {c}. I saw {a_an(c + ' ' + o)} at {d['place']}."),
                 ("A", f"That must be my {o}! Thank you."), None],
                [("B", f"Is this your {o}? I found it on the chair."),
                 ("A", f"No, mine is {c}. This one is {d['col2']}."),
                 ("B", f"Oh, you said it was {c}. Sorry. Then maybe {C.name} has it after all.")],
                [("B", f"Did {C.name} have your {c} {o}?"),
                 ("A", f"Yes! Like you said, {C.s} took it by mistake. {C.S} gave it back this afternoon."), None]]))
            if out[-1][-1] is None:
                d["found"] = True
            out[-1] = [t for t in out[-1] if t is not None]
        if "person" in d["facts"] and self.r.random() < 0.7:
            out.append(self.pick([
                [("A", f"You said {C.name} lives in {d['town']}. Does {C.s} like it there?"),
                 ("B", f"Yes. {C.S} has lived in {d['town']} for {self.pick(NUMBERS)} years.")],
                [("A", f"So {d['pet']} is {C.name}'s {d['animal']}?"),
                 ("B", f"Yes. {C.name} and {d['pet']} are always together.")]]))
        if d["D"] is not None:
            D = d["D"]
            if "person" in d["facts"]:
                out.append([("D", f"Like {B.name} said, {C.name} {d['job']}. {C.S} is very kind."),
                            ("A", f"I agree with {D.name}. I like {C.name} too.")])
            elif "trip" in d["facts"]:
                out.append([("D", f"Like {A.name} said, the bus to {d['town']} is cheap. I took it last year."),
                            ("B", f"Did you see {C.name} in {d['town']}?"),
                            ("D", f"No, but I saw {d['tplace']}. You were right, {B.name}. It is nice.")])
            else:
                out.append([("D", f"Sorry I am late. Did I miss anything?"),
                            ("A", f"Not much. {B.name} told me about {C.name}.")])
        return [t for grp in out for t in grp]

    def format_turns(self, d, turns, style):
        names = {"A": d["A"], "B": d["B"], "D": d["D"]}
        merged = []
        for who, text in turns:  # one speaker never has two turns in a row
            if merged and merged[-1][0] == who:
                merged[-1] = (who, merged[-1][1] + " " + text)
            else:
                merged.append((who, text))
        turns = merged
        lines = []
        if style == "quotes":
            A, B = d["A"], d["B"]
            intro = self.pick([f"{A.name} and {B.name} were at {d['place']}.",
                               f"{A.name} met {B.name} at {d['place']}.",
                               f"{A.name} and {B.name} were drinking tea in the kitchen."])
            if d["D"] is not None:
                intro += f" {d['D'].name} was there too."
            lines.append(intro)
        prev_q = False
        for who, text in turns:
            p = names[who]
            said = self.pick(["said", "replied", "answered"]) if prev_q else "said"
            prev_q = text.endswith("?")
            if style == "colon":
                lines.append(f"{p.name}: {text}")
            elif text.endswith("?"):
                lines.append(f"\"{text}\" asked {p.name}.")
            else:
                lines.append(f"\"{text[:-1]},\" {said} {p.name}.")
        return "\n".join(lines)

    def long_dialogue(self):
        d = self.cast()
        target = self.r.randint(800, 1200)
        style = "colon" if self.r.random() < 0.6 else "quotes"
        segs = [self.seg_person, self.seg_pet, self.seg_trip, self.seg_because, self.seg_animals,
                self.seg_question]
        self.r.shuffle(segs)
        turns = self.seg_lost(d) if self.r.random() < 0.6 else []
        if "lost" not in d["facts"]:
            segs.insert(0, self.seg_person)
        for seg in segs:
            if sum(len(t) + 12 for _, t in turns) > target * 0.75:
                break
            if seg == self.seg_person and "person" in d["facts"]:
                continue
            if seg == self.seg_pet and "pet" not in d["facts"] and "person" not in d["facts"] and self.r.random() < 0.5:
                continue
            turns += seg(d)
        turns += self.callbacks(d)
        turns.append(("B", self.pick([f"I have to go now. See you on {d['day']}.",
                                      f"Well, I hope you find your {d['col']} {d['obj']} soon."
                                      if "lost" in d["facts"] and not d["found"]
                                      else f"Say hello to {d['C'].name} for me.",
                                      f"Give my love to {d['C'].name} and {d['pet']}."])))
        return self.format_turns(d, turns, style)

    def long_story(self):
        d = self.cast()
        P, F, C = d["A"], d["B"], d["C"]
        pet, an, town, o, c = d["pet"], d["animal"], d["town"], d["obj"], d["col"]
        paras = []
        paras.append(f"{P.name} lived in {town} with {P.p} {an}, {pet}. Every morning {P.s} walked {pet} to "
                     f"{d['tplace']}. {pet} was {self.pick(ANIMAL_ADJ)}, and everybody in {town} knew {P.name}'s {an}.")
        wx, _ = self.pick(WEATHER)
        paras.append(f"One {d['day']}, {P.name} could not find {P.p} {c} {o}. {P.S} looked in the kitchen and in "
                     f"the garden, but it was not there. {P.S} needed it cause {self.need_past(d, P)}.")
        paras.append(f"{P.S} asked {F.name}, who lived next door. {F.name} said that {F.s} had seen "
                     f"{a_an(c + ' ' + o)} at {d['place']}. " +
                     self.pick([f"\"Maybe {C.name} took it,\" {F.s} said. \"{C.S} was there with {C.p} {self.pick(['brother', 'sister', 'dog', 'friends'])}.\"",
                                f"\"Ask {C.name},\" {F.s} said. \"{C.S} works at {d['place']}.\""]))
        paras.append(f"So {P.name} and {pet} went to {d['place']}. " + " ".join(self.coref_animals(P.S, " there")) +
                     f" Then {pet} ran to a bench. The {c} {o} was under it. {pet} found it first!")
        paras.append(f"{P.name} was happy because {P.s} had {P.p} {c} {o} again. {P.S} thanked {F.name} and "
                     f"told {C.name} the whole story. {C.name} laughed. \"{pet} is cleverer than all of us,\" "
                     f"{C.s} said.")
        did, _, wx = self.stayed_because()
        a1, a2 = self.r.sample(ACTIVITIES, 2)
        o2 = self.pick([x for x in sorted(LOST) if x != o and x != "letter"])
        extra = [f"Last {d['pastday']} {P.name} {did} {self.pick(['cause', 'because', 'cause'])} {wx}. "
                 f"{pet} did not mind. It was {self.pick(ANIMALS[an])}.",
                 f"On most afternoons {P.s} {PAST[a1]} and {PAST[a2]}.".replace("my aunt", P.p + " aunt"),
                 f"{P.name} also had {a_an(self.pick(COLOURS) + ' ' + o2)}. {P.P} {o2} was {self.pick(OBJECTS[o2])}."]
        self.r.shuffle(extra)
        paras.insert(1, extra[0])  # background about the hero, before the day the story is about
        if self.r.random() < 0.5:
            paras.append(f"That evening {P.name} wrote a letter to {P.p} {self.pick(['aunt', 'uncle', 'cousin', 'grandmother'])} "
                         f"about {pet}, the {c} {o} and {C.name}.")
        return "\n".join(paras)

    def document(self):
        r = self.r.random()
        if r < 0.45:
            return self.long_dialogue()
        if r < 0.75:
            return self.long_story()
        return Gen.document(self)  # the short everyday stories and dialogues of v1


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bytes", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    g = Gen2(args.seed)
    out, n = [], 0
    while n < args.bytes:
        d = g.document() + "\n<|endoftext|>\n"
        out.append(d)
        n += len(d.encode("utf-8"))
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
