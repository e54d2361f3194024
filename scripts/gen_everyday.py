#!/usr/bin/env python3
"""Simple everyday English for the training corpus (written for Attention Lab; CC0).

Short stories and dialogues that exercise what the page shows:
  * pronoun coreference   "I saw a dog and a cat. It was barking."
  * because / cause       "I stayed home cause it was raining."  (and "a good cause", "the cause of")
  * questions             "How do you work?"  "Where is my key?"
  * possession            "I have a dog. My dog is called Max."
  * words repeated across turns in a conversation.
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

    def coref_animals(self):
        a, b = self.two_animals()
        act = self.pick(ANIMALS[a])
        verb = self.pick(["saw", "heard", "found", "met", "noticed", "watched"])
        where = self.pick(["", " in " + self.pick(PLACES), " near " + self.pick(PLACES), " outside"])
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
            out.append(f"I think the {a} was {self.pick(['hungry', 'happy', 'bored', 'scared', 'excited'])}.")
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


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bytes", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()
    g = Gen(args.seed)
    out, n = [], 0
    while n < args.bytes:
        d = g.document() + "\n<|endoftext|>\n"
        out.append(d)
        n += len(d.encode("utf-8"))
    sys.stdout.write("".join(out))


if __name__ == "__main__":
    main()
