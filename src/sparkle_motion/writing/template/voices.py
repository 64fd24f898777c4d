"""Registers: how each character says what the story needs said. Pure.

A register has lines for every *intent* (notice something, worry, propose a
plan, reveal a secret, ...) and its own verbal tics: openers and closers it
sprinkles on, sparingly. Two characters with different registers never sound
alike, and the same register always sounds like itself.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = ["INTENT_EMOTIONS", "REGISTERS", "Register", "register_for", "shortest", "speak"]


@dataclass(frozen=True)
class Register:
    name: str
    personality: str
    openers: tuple[str, ...]
    closers: tuple[str, ...]
    """A closer starting with ", " replaces the line's full stop; others follow it."""
    lines: Mapping[str, tuple[str, ...]]


# Intents a line can carry, with the emotion tag it gets (a tag frames the line close).
INTENT_EMOTIONS: dict[str, tuple[str, ...]] = {
    "open": (),
    "notice": (),
    "worry": ("worried",),
    "reassure": (),
    "propose": (),
    "doubt": (),
    "reveal": ("serious",),
    "react": ("surprised",),
    "decide": (),
    "banter": (),
    "recall": (),
    "hook": (),
    "resolve": (),
    "close": (),
}

REGISTERS: dict[str, Register] = {
    r.name: r
    for r in (
        Register(
            name="blunt",
            personality="says what they think in as few words as possible",
            openers=("Look.", "Right.", "Listen."),
            closers=("Simple.", "End of story.", "Got it?"),
            lines={
                "open": ("Quiet in {place} today. Too quiet.", "{Place}. Let's get on with it."),
                "notice": (
                    "There. {A_thing}. That wasn't here yesterday.",
                    "{A_thing}. Somebody left it. On purpose.",
                ),
                "worry": (
                    "I don't like it. {The_thing} means trouble.",
                    "That {thing} is a problem. A big one.",
                ),
                "reassure": (
                    "Stop fretting, {other}. We'll handle it.",
                    "It's fine. I've seen worse.",
                ),
                "propose": ("Here's the plan. We {plan}.", "Simple. We {plan}. Now."),
                "doubt": ("No. Bad idea.", "We {plan}? Waste of time."),
                "reveal": ("Fine. The truth. {Secret}.", "You want to know? {Secret}."),
                "react": ("Huh. Didn't see that coming.", "Well. That changes things."),
                "decide": ("Enough talk. We {plan}.", "Decided. We {plan}. Tonight."),
                "banter": (
                    "Tea's cold again.",
                    "You're standing on my foot.",
                    "Don't touch that.",
                    "Less talking, more walking.",
                    "Keep up, {other}.",
                ),
                "recall": (
                    "We still don't know {thread}. That bothers me.",
                    "One question left over. {Thread}.",
                ),
                "hook": (
                    "One more thing. I want to know {thread}.",
                    "Tomorrow we find out {thread}.",
                ),
                "resolve": ("So. Now we know {thread}.", "That settles it. {Thread}, solved."),
                "close": ("Done. Good work.", "That's that, then."),
            },
        ),
        Register(
            name="warm",
            personality="looks after everyone, and calls them love",
            openers=("Oh, love,", "Now then,", "Sweetheart,"),
            closers=(", love.", "We'll be fine.", "I promise."),
            lines={
                "open": (
                    "Isn't {place} lovely this time of day?",
                    "Come in, come in, {place} is warm enough for all of us.",
                ),
                "notice": (
                    "Oh, look at this, {a_thing}. Someone must be missing it.",
                    "Would you look at that. {A_thing}, all on its own.",
                ),
                "worry": (
                    "I've a funny feeling about {the_thing}, I really do.",
                    "Oh, I hope {the_thing} doesn't bring us any grief.",
                ),
                "reassure": (
                    "Don't you worry, {other}. We'll sort it out together.",
                    "Deep breaths, {other}. Nobody's cross with you.",
                ),
                "propose": (
                    "Why don't we {plan}? Just to be sure.",
                    "How about this. We {plan}, and then a nice cup of tea.",
                ),
                "doubt": (
                    "Oh, I'm not sure we should {plan}, sweetheart.",
                    "Are you certain? I'd hate for anyone to get hurt.",
                ),
                "reveal": ("I should have told you sooner. {Secret}.", "Sit down, love. {Secret}."),
                "react": (
                    "Oh my goodness. Oh, that explains so much.",
                    "Oh, you poor thing. I had no idea.",
                ),
                "decide": (
                    "Right then, together. We {plan}.",
                    "We'll {plan}, and we'll look after each other.",
                ),
                "banter": (
                    "Have you eaten? You look pale.",
                    "Mind the step, love.",
                    "I brought biscuits, just in case.",
                    "Scarf on, {other}, it's chilly.",
                ),
                "recall": (
                    "I keep thinking about {thread}. Don't you?",
                    "We never did find out {thread}, did we?",
                ),
                "hook": (
                    "Tomorrow, love, we'll find out {thread}.",
                    "I won't sleep until we know {thread}.",
                ),
                "resolve": (
                    "Well, now we know {thread}. What a relief.",
                    "So that's {thread}. Oh, I'm glad.",
                ),
                "close": (
                    "Home now, all of us. Kettle's on.",
                    "There. Everyone safe. That's what matters.",
                ),
            },
        ),
        Register(
            name="nervous",
            personality="worries out loud and apologises for it",
            openers=("Um,", "Sorry, sorry.", "Okay, um,"),
            closers=(", maybe?", "Sorry.", ", if that's okay."),
            lines={
                "open": (
                    "Is it, um, supposed to be this dark in {place}?",
                    "I don't love {place}. Sorry. I just don't.",
                ),
                "notice": (
                    "Is that, um, {a_thing}? It wasn't there before. Was it?",
                    "Don't panic, but there's {a_thing} right there.",
                ),
                "worry": (
                    "What if {the_thing} is bad? Like, really bad?",
                    "I-I don't think we should touch {the_thing}. At all.",
                ),
                "reassure": (
                    "It's, um, it's probably fine, {other}. Probably.",
                    "Okay. Okay. We're okay. Right?",
                ),
                "propose": (
                    "Maybe we could, um, {plan}? If that's allowed?",
                    "I had a thought. We {plan}. Or not. Sorry.",
                ),
                "doubt": (
                    "We {plan}? Is that safe? That doesn't sound safe.",
                    "Oh no. No, no. That's a terrible idea. Sorry.",
                ),
                "reveal": (
                    "I have to tell you something. {Secret}. Sorry.",
                    "Please don't be angry. {Secret}.",
                ),
                "react": ("Wait. What? Wait.", "Oh. Oh no. Oh, that's worse."),
                "decide": (
                    "Okay. I'm scared, but okay. We {plan}.",
                    "Fine. We {plan}. I'm coming too. Probably.",
                ),
                "banter": (
                    "Did you hear that? No? Okay.",
                    "My hands are shaking. Is that normal?",
                    "I packed plasters. Lots of plasters.",
                    "Sorry, {other}, was that your foot?",
                ),
                "recall": (
                    "Um, we still don't know {thread}. Sorry. It's been bugging me.",
                    "Can I ask? What about {thread}?",
                ),
                "hook": (
                    "But, um, what about {thread}? Nobody's asking that.",
                    "I just, I need to know {thread}. Sorry.",
                ),
                "resolve": (
                    "Oh. So that's {thread}. Phew. Sorry. Phew.",
                    "We know {thread} now. I can breathe again.",
                ),
                "close": ("We did it? We did it. Sorry. Wow.", "Can we go home now? Please?"),
            },
        ),
        Register(
            name="formal",
            personality="speaks in complete sentences and never uses a contraction",
            openers=("Indeed.", "If I may,", "I must say,"),
            closers=(", I should think.", "Quite.", ", as it were."),
            lines={
                "open": (
                    "{Place} is rather less orderly than I would prefer.",
                    "I have always found {place} most instructive.",
                ),
                "notice": (
                    "Observe. {A_thing}, placed with some care.",
                    "I believe that is {a_thing}. It was not here at noon.",
                ),
                "worry": (
                    "I do not care for {the_thing}. It is most irregular.",
                    "This {thing} troubles me a great deal.",
                ),
                "reassure": (
                    "Compose yourself, {other}. There is a rational explanation.",
                    "All is well, {other}. I have the matter in hand.",
                ),
                "propose": (
                    "I propose that we {plan}.",
                    "The sensible course is clear. We {plan}.",
                ),
                "doubt": (
                    "With respect, that would be most unwise.",
                    "We {plan}? I hardly think that is prudent.",
                ),
                "reveal": (
                    "I confess I have not been candid. {Secret}.",
                    "You had better hear it from me. {Secret}.",
                ),
                "react": (
                    "Extraordinary. Quite extraordinary.",
                    "Good heavens. I did not foresee that.",
                ),
                "decide": (
                    "Very well. We shall {plan}.",
                    "It is decided, then. We {plan} at once.",
                ),
                "banter": (
                    "Do stand up straight, {other}.",
                    "One does not run indoors.",
                    "I have made a list. Several lists, in fact.",
                    "Punctuality is a virtue, {other}.",
                ),
                "recall": (
                    "We have yet to establish {thread}.",
                    "I remind you that we still do not know {thread}.",
                ),
                "hook": (
                    "I intend to discover {thread}.",
                    "The question remains, {thread}. I shall have an answer.",
                ),
                "resolve": (
                    "Then we have established {thread}. Most satisfactory.",
                    "So that is {thread}. I had suspected as much.",
                ),
                "close": (
                    "A most satisfactory conclusion.",
                    "I believe that concludes the matter.",
                ),
            },
        ),
        Register(
            name="playful",
            personality="treats everything as a game and laughs at the wrong moments",
            openers=("Ha!", "Ooh,", "Okay, okay,"),
            closers=(", right?", "This is brilliant!", "Ha!"),
            lines={
                "open": (
                    "Welcome to {place}, ladies and gentlemen!",
                    "{Place}! My favourite place in the whole world today!",
                ),
                "notice": (
                    "Ooh, {a_thing}! Finders keepers!",
                    "No way. {A_thing}! Just lying there!",
                ),
                "worry": (
                    "Okay, {the_thing} is a bit spooky. A tiny bit.",
                    "Is it just me, or is {the_thing} looking at us?",
                ),
                "reassure": (
                    "Chin up, {other}! Worst case, we run really fast.",
                    "Relax, {other}. What could possibly go wrong?",
                ),
                "propose": ("I've got it! We {plan}!", "New game. We {plan}. Go!"),
                "doubt": ("We {plan}? Boring! But fine.", "Nope. No way. Too easy."),
                "reveal": ("Okay, don't laugh. {Secret}!", "Surprise! {Secret}. Ta-da?"),
                "react": ("No way! No way!", "Ha! I knew it! I didn't know it."),
                "decide": ("Let's go! We {plan}!", "Right, gang. We {plan}. Last one there loses!"),
                "banter": (
                    "Race you to the door!",
                    "I'm starving. Is anyone else starving?",
                    "Bet you can't do a cartwheel, {other}.",
                    "Ooh, echo! Echo! Echo!",
                ),
                "recall": (
                    "Hey, remember {thread}? Still a mystery! Love it.",
                    "Ooh, what about {thread}? Nobody ever tells me anything.",
                ),
                "hook": (
                    "Next adventure: {thread}! Who's in?",
                    "Tomorrow we crack {thread}. Pinky promise.",
                ),
                "resolve": (
                    "Ha! So that's {thread}! Called it!",
                    "Mystery solved. {Thread}! Ten points to us!",
                ),
                "close": (
                    "Best day ever! Again tomorrow?",
                    "High five! Come on, don't leave me hanging.",
                ),
            },
        ),
        Register(
            name="wry",
            personality="dry, ironic, never surprised out loud",
            openers=("Of course.", "Marvellous.", "Naturally,"),
            closers=("What could go wrong.", "Lovely.", ", as usual."),
            lines={
                "open": (
                    "Ah, {place}. Everyone's favourite.",
                    "{Place}. I was so hoping we'd end up here.",
                ),
                "notice": (
                    "Oh good. {A_thing}. Just what the day needed.",
                    "And there it is. {A_thing}, right where nobody would look.",
                ),
                "worry": (
                    "I'm sure {the_thing} is perfectly harmless. Said no one, ever.",
                    "Call it a hunch, but {the_thing} is bad news.",
                ),
                "reassure": (
                    "Relax, {other}. Things can only get slightly worse.",
                    "Don't worry, {other}. I've made worse mistakes before lunch.",
                ),
                "propose": (
                    "Here's a wild idea. We {plan}.",
                    "We could always {plan}. Just a thought.",
                ),
                "doubt": (
                    "We {plan}? Bold. Stupid, but bold.",
                    "Yes, let's do that. What could possibly go wrong.",
                ),
                "reveal": ("Funny story. {Secret}.", "You'll love this. {Secret}."),
                "react": ("Well. That's inconvenient.", "Of course it is. Of course."),
                "decide": (
                    "Fine. We {plan}. I'll pretend it was my idea.",
                    "Right. We {plan}, and nobody says I told you so.",
                ),
                "banter": (
                    "Lovely weather for it.",
                    "I did say we should have stayed in bed.",
                    "Remind me why I agreed to this, {other}.",
                    "Another day, another disaster.",
                ),
                "recall": (
                    "Still no idea {thread}, by the way. Just mentioning it.",
                    "And we're all ignoring {thread}, are we? Good.",
                ),
                "hook": (
                    "Tomorrow's treat, finding out {thread}. Can't wait.",
                    "Which leaves {thread}. Naturally.",
                ),
                "resolve": (
                    "So that's {thread}. Took us long enough.",
                    "Well, well. {Thread}. Who'd have guessed.",
                ),
                "close": (
                    "Home, then. Before anything else happens.",
                    "I'd call that a win. A small, damp win.",
                ),
            },
        ),
        Register(
            name="curious",
            personality="asks one question too many and notices everything",
            openers=("Wait,", "Hmm.", "Ooh, okay."),
            closers=("Isn't that strange?", "I wonder why.", ", don't you think?"),
            lines={
                "open": (
                    "Why does {place} always smell like rain?",
                    "Did you know {place} is older than anyone remembers?",
                ),
                "notice": (
                    "What's that? Is that {a_thing}? Who would leave {a_thing} here?",
                    "Look, {a_thing}! Where did it come from?",
                ),
                "worry": (
                    "But what if {the_thing} belongs to someone who wants it back?",
                    "Why would anyone hide {the_thing}? Unless it's dangerous?",
                ),
                "reassure": (
                    "It's okay, {other}. Every puzzle has an answer.",
                    "Don't be scared, {other}. Be curious instead.",
                ),
                "propose": (
                    "What if we {plan}? Then we'd know!",
                    "Can we {plan}? Please? I have to know.",
                ),
                "doubt": (
                    "But wait, if we {plan}, won't they see us?",
                    "Hmm. Are we sure that's the right question?",
                ),
                "reveal": (
                    "I found something out. {Secret}.",
                    "I read it in the old records. {Secret}.",
                ),
                "react": ("Really? Really really?", "Wait, so all this time? Wow."),
                "decide": (
                    "Okay! We {plan}, and then we'll know for sure.",
                    "Decided. We {plan}. For science!",
                ),
                "banter": (
                    "Why is the sky that colour, {other}?",
                    "How many steps do you think this is? I counted forty.",
                    "Do you ever wonder what birds think about?",
                    "What's this button do?",
                ),
                "recall": (
                    "I still want to know {thread}. Don't you?",
                    "What about {thread}? We never found out!",
                ),
                "hook": (
                    "But then, {thread}? That's the real question.",
                    "Tomorrow I'm going to find out {thread}.",
                ),
                "resolve": (
                    "So that's {thread}! It all fits!",
                    "Now we know {thread}. Told you there was an answer.",
                ),
                "close": (
                    "What a day. What do you think happens next?",
                    "I've got so many questions. Good ones, though.",
                ),
            },
        ),
        Register(
            name="gruff",
            personality="grumbles at everything and means well underneath",
            openers=("Hmph.", "Aye.", "Bah."),
            closers=(", mark my words.", ", and that's flat.", "Hmph."),
            lines={
                "open": (
                    "{Place} again. My knees hate {place}.",
                    "Shut the door, you're letting the cold into {place}.",
                ),
                "notice": (
                    "Eh? {A_thing}. Who's been messing about?",
                    "Well, I'll be. {A_thing}. Haven't seen one of those in years.",
                ),
                "worry": (
                    "Nothing good ever came of {a_thing}. Nothing.",
                    "Put {the_thing} down, before it bites.",
                ),
                "reassure": (
                    "Quit your worrying, {other}. I've got you.",
                    "Buck up, {other}. We've weathered worse.",
                ),
                "propose": ("We {plan}. And no dawdling.", "Only one thing for it. We {plan}."),
                "doubt": ("We {plan}? In this weather? Pah.", "Daft. Daft as a brush."),
                "reveal": (
                    "Sit. {Secret}. There. I said it.",
                    "Kept it to myself long enough. {Secret}.",
                ),
                "react": ("Well, knock me down.", "Hmph. Didn't see that coming."),
                "decide": ("Right. Coats on. We {plan}.", "Enough jawing. We {plan}."),
                "banter": (
                    "In my day we walked everywhere.",
                    "Mind your elbows, {other}.",
                    "Who ate my sandwich?",
                    "This damp gets into your bones.",
                ),
                "recall": (
                    "Still chewing on {thread}. Can't shake it.",
                    "And nobody's said a word about {thread}. Typical.",
                ),
                "hook": (
                    "Tomorrow we get to the bottom of {thread}.",
                    "Don't think I've forgotten {thread}.",
                ),
                "resolve": (
                    "So that's {thread}. Knew it'd be something daft.",
                    "Hmph. {Thread}. Could've told you that.",
                ),
                "close": ("Right. Home. My tea's going cold.", "Not bad. Not bad at all."),
            },
        ),
    )
}


def register_for(voice: str, character_id: str) -> Register:
    """The register a voice note names, or (for free words) one picked by the note's hash."""
    words = voice.lower().replace(",", " ").split()
    for word in words:
        if word in REGISTERS:
            return REGISTERS[word]
    names = sorted(REGISTERS)
    digest = hashlib.sha256(f"{voice}|{character_id}".encode()).digest()
    return REGISTERS[names[digest[0] % len(names)]]


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def _after_opener(line: str, opener: str, slots: Mapping[str, str]) -> str:
    """The line's first letter in lower case after a comma, unless it must stay upper."""
    first = line.split(" ", 1)[0]
    proper = any(v[:1].isupper() and line.startswith(v) for v in slots.values() if v)
    if not opener.endswith(",") or proper or first == "I" or first.startswith(("I'", "I-")):
        return line
    return line[:1].lower() + line[1:]


def shortest(register: Register, intent: str, slots: Mapping[str, str]) -> str:
    """The register's shortest line for ``intent``, without tics: for tight episodes."""
    filled = {**slots}
    for key in ("thread", "secret", "place"):
        if key in filled:
            filled[_capitalised(key)] = _capitalised(filled[key])
    lines = [template.format_map(filled) for template in register.lines[intent]]
    return min(lines, key=lambda line: (len(line.split()), line))


def speak(register: Register, intent: str, slots: Mapping[str, str], rng: random.Random) -> str:
    """One line with ``intent`` in ``register``'s words, now and then with a tic."""
    filled = {**slots}
    for key in ("thread", "secret", "place"):
        if key in filled:
            filled[_capitalised(key)] = _capitalised(filled[key])
    line = rng.choice(register.lines[intent]).format_map(filled)
    roll = rng.random()
    if intent not in ("banter", "react") and roll < 0.25:
        opener = rng.choice(register.openers)
        said = {w.strip(",.!?").lower() for w in opener.split()}
        if not said & {w.strip(",.!?").lower() for w in line.split()[:2]}:
            line = f"{opener} {_after_opener(line, opener, slots)}"
    elif roll > 0.8 and line.endswith("."):
        closer = rng.choice(register.closers)
        line = f"{line[:-1]}{closer}" if closer.startswith(", ") else f"{line} {closer}"
    return line
