"""Source of the quotes-dev set: passages and gold annotations written for Newswatch.

Every person, company, group and statement here is fictional. Spans are given as
exact substrings; ``build_quotes_dev.py`` turns them into character offsets and
checks each one. A span is a string (the occurrence nearest to the quote's first
content fragment, word-bounded) or ``(string, n)`` (the n-th occurrence, 0-based).
"""

def Q(kind, contents, sources=(), cue=None, who=None):
    return {"type": kind, "contents": list(contents), "sources": list(sources), "cue": cue, "speaker_resolved": who}


PASSAGES = [
    ("platform-advocate",
     "Sonaris, the music streaming platform, said on Wednesday that it would let artists opt out of having their recordings used to train its AI tools.\n\n"
     "“We believe creators should decide how their work is used, and this update gives them that choice,” a representative for Sonaris said in a statement.\n\n"
     "Mara Okafor, who leads the advocacy group Fair Play for Musicians, was not impressed. “An opt-out is not consent,” Okafor said. “It puts the burden on the very people whose work was taken.”\n\n"
     "She said the group would keep pressing lawmakers for an opt-in rule.",
     [Q("indirect", ["it would let artists opt out of having their recordings used to train its AI tools"], ["Sonaris, the music streaming platform"], "said", "Sonaris"),
      Q("direct", ["“We believe creators should decide how their work is used, and this update gives them that choice,”"], ["a representative for Sonaris"], "said", "Sonaris"),
      Q("direct", ["“An opt-out is not consent,”", "“It puts the burden on the very people whose work was taken.”"], ["Okafor"], "said", "Mara Okafor"),
      Q("indirect", ["the group would keep pressing lawmakers for an opt-in rule"], ["She"], "said", "Mara Okafor")]),

    ("inverted-appositive",
     "“Licensing is cheaper than litigation, and the smart companies know it,” said Keiko Hartmann, a partner at the law firm Brandt & Vogel.",
     [Q("direct", ["“Licensing is cheaper than litigation, and the smart companies know it,”"], ["Keiko Hartmann, a partner at the law firm Brandt & Vogel"], "said", "Keiko Hartmann")]),

    ("title-name-split",
     "Pixelforge chief executive Lionel Strand defended the company’s image model at a developer conference in Austin on Thursday.\n\n"
     "“Nothing in our training set was taken from behind a paywall,” Strand told the audience. “We followed the rules as they were written.”",
     [Q("direct", ["“Nothing in our training set was taken from behind a paywall,”", "“We followed the rules as they were written.”"], ["Strand"], "told", "Lionel Strand")]),

    ("colon-org",
     "The Guild of Session Musicians put its position in a single line: “No licence, no training, no exceptions.”",
     [Q("direct", ["“No licence, no training, no exceptions.”"], ["The Guild of Session Musicians"], "put", "Guild of Session Musicians")]),

    ("prev-para-colon-posted",
     "Later that evening, Amira Haddad posted a short message to her followers:\n\n"
     "“I found my own paintings inside their demo. Not similar paintings. Mine.”",
     [Q("direct", ["“I found my own paintings inside their demo. Not similar paintings. Mine.”"], ["Amira Haddad"], "posted", "Amira Haddad")]),

    ("split-lowercase-pronoun",
     "Ines Carvalho has sung on more than 200 commercial recordings. “If the model can imitate a living singer on demand,” she said, “then the singer has lost control of the one thing that makes her a professional.”",
     [Q("direct", ["“If the model can imitate a living singer on demand,”", "“then the singer has lost control of the one thing that makes her a professional.”"], ["she"], "said", "Ines Carvalho")]),

    ("multi-paragraph-three",
     "Declan Moore, president of the Federation of Screenwriters, read the union’s statement aloud outside the studio gates.\n\n"
     "“For two years we have asked the studios a simple question: what did you feed these systems?\n\n"
     "“We have received lawyers’ letters, consultants’ slides and a great deal of silence.\n\n"
     "“Today we stop asking politely,” Moore said.",
     [Q("direct", ["“For two years we have asked the studios a simple question: what did you feed these systems?",
                   "“We have received lawyers’ letters, consultants’ slides and a great deal of silence.",
                   "“Today we stop asking politely,”"], [("Moore", 1)], "said", "Declan Moore")]),

    ("nested-single",
     "“They told us the new voices were ‘inspired by’ our catalogue, as if that made it better,” said Tobias Lindgren, a voice actor in Stockholm.",
     [Q("direct", ["“They told us the new voices were ‘inspired by’ our catalogue, as if that made it better,”"], ["Tobias Lindgren, a voice actor in Stockholm"], "said", "Tobias Lindgren")]),

    ("straight-nested",
     "Hannah Vogt, who runs a small animation studio in Leipzig, said the offer was insulting. \"They called it 'exposure.' We call it unpaid work,\" Vogt said.",
     [Q("indirect", ["the offer was insulting"], ["Hannah Vogt, who runs a small animation studio in Leipzig"], "said", "Hannah Vogt"),
      Q("direct", ["\"They called it 'exposure.' We call it unpaid work,\""], ["Vogt"], "said", "Hannah Vogt")]),

    ("according-to-direct",
     "According to Samuel Adebayo, an economist at the Lagos Creative Economy Institute, “the real money is in licensing old catalogues, not in selling the tools themselves.”",
     [Q("direct", ["“the real money is in licensing old catalogues, not in selling the tools themselves.”"], ["Samuel Adebayo, an economist at the Lagos Creative Economy Institute"], "According to", "Samuel Adebayo")]),

    ("according-to-indirect",
     "According to Quillstream, more than 40,000 authors have already joined its licensing pool.",
     [Q("indirect", ["more than 40,000 authors have already joined its licensing pool"], ["Quillstream"], "According to", "Quillstream")]),

    ("according-to-post-anonymous",
     "The startup trained its first model on a public-domain archive before switching to licensed material, according to two former employees.",
     [Q("indirect", ["The startup trained its first model on a public-domain archive before switching to licensed material"], ["two former employees"], "according to", None)]),

    ("according-to-post-direct",
     "“We are not against technology. We are against theft,” according to Freya Lund, the coalition’s chair.",
     [Q("direct", ["“We are not against technology. We are against theft,”"], ["Freya Lund, the coalition’s chair"], "according to", "Freya Lund")]),

    ("headline-colon-name",
     "Rafael Montoya: ‘We will pay every artist whose work we used’\n\n"
     "Melodex will set aside 30 per cent of its subscription revenue for musicians, its founder Rafael Montoya said on Monday.",
     [Q("direct", ["‘We will pay every artist whose work we used’"], [("Rafael Montoya", 0)], None, "Rafael Montoya"),
      Q("indirect", ["Melodex will set aside 30 per cent of its subscription revenue for musicians"], ["its founder Rafael Montoya"], "said", "Rafael Montoya")]),

    ("headline-says-org",
     "‘Opt-out is not consent,’ says Fair Play for Musicians\n\n"
     "The advocacy group has written to every major streaming service asking them to drop their new opt-out forms.",
     [Q("direct", ["‘Opt-out is not consent,’"], ["Fair Play for Musicians"], "says", "Fair Play for Musicians")]),

    ("headline-unattributed",
     "“We were never asked”: illustrators push back on AI art deal\n\n"
     "More than 300 illustrators have signed an open letter against a licensing agreement between the stock-image site Canvasly and the AI developer Brightloom.",
     [Q("direct", ["“We were never asked”"])]),

    ("pronoun-last-speaker",
     "Isaac Thorne, a composer, met Clara Jansen, the platform’s head of policy, in March. Thorne said the meeting changed nothing. “I left with a brochure and no answers,” he said.",
     [Q("indirect", ["the meeting changed nothing"], ["Thorne"], "said", "Isaac Thorne"),
      Q("direct", ["“I left with a brochure and no answers,”"], ["he"], "said", "Isaac Thorne")]),

    ("pronoun-she-narrative",
     "Lucia Ferraro spent a decade building her catalogue of stock photographs. When a friend showed her an AI image with a faint trace of her watermark, she stopped uploading. “I felt robbed in slow motion,” she said.",
     [Q("direct", ["“I felt robbed in slow motion,”"], [("she", 1)], "said", "Lucia Ferraro")]),

    ("pronoun-it-mixed",
     "Brightloom did not respond to questions about its data sources. In a blog post published last month, it said that “every image in the training set was either licensed or in the public domain.”",
     [Q("mixed", ["“every image in the training set was either licensed or in the public domain.”"], ["it"], "said", "Brightloom")]),

    ("pronoun-they-org",
     "The Authors Rights Network published its response on Tuesday. “The government keeps promising a consultation, and we keep waiting,” they said.",
     [Q("direct", ["“The government keeps promising a consultation, and we keep waiting,”"], ["they"], "said", "Authors Rights Network")]),

    ("org-statement",
     "“We take these concerns seriously and have paused the feature while we review it,” Verselab said in a statement on Friday.",
     [Q("direct", ["“We take these concerns seriously and have paused the feature while we review it,”"], ["Verselab"], "said", "Verselab")]),

    ("spokesperson-for-mixed",
     "A spokesperson for Echoform said the company “has never touched private uploads” and described the claims as unfounded.",
     [Q("mixed", ["the company “has never touched private uploads”"], ["A spokesperson for Echoform"], "said", "Echoform")]),

    ("org-spokeswoman-named",
     "Northwind Audio’s spokeswoman, Beatrice Lowe, said the company had offered to meet the musicians. “Our door is still open,” Lowe said.",
     [Q("indirect", ["the company had offered to meet the musicians"], ["Northwind Audio’s spokeswoman, Beatrice Lowe"], "said", "Beatrice Lowe"),
      Q("direct", ["“Our door is still open,”"], ["Lowe"], "said", "Beatrice Lowe")]),

    ("org-prefixed-spokesperson",
     "“The agreement was negotiated in good faith with a representative group of contributors,” a Canvasly spokesperson said.",
     [Q("direct", ["“The agreement was negotiated in good faith with a representative group of contributors,”"], ["a Canvasly spokesperson"], "said", "Canvasly")]),

    ("the-company-said",
     "Lumen Studios announced a partnership with the Voice Actors Coalition on Monday. “Performers will approve every use of a digital replica of their voice,” the company said.",
     [Q("direct", ["“Performers will approve every use of a digital replica of their voice,”"], ["the company"], "said", "Lumen Studios")]),

    ("the-union-said",
     "The Society of Independent Illustrators has condemned the Canvasly deal. “Our members were never consulted, and they will not be bound by it,” the union said in a statement.",
     [Q("direct", ["“Our members were never consulted, and they will not be bound by it,”"], ["the union"], "said", "Society of Independent Illustrators")]),

    ("alias-honorific",
     "Nadia Petrov, a translator who has worked on more than 60 novels, said machine translation firms had quietly scraped her published work. Ms. Petrov, who is suing one of the firms, said she had found entire paragraphs reproduced word for word. “It is my sentence, with my mistakes in it,” Ms. Petrov said.",
     [Q("indirect", ["machine translation firms had quietly scraped her published work"], ["Nadia Petrov, a translator who has worked on more than 60 novels"], "said", "Nadia Petrov"),
      Q("indirect", ["she had found entire paragraphs reproduced word for word"], ["Ms. Petrov, who is suing one of the firms"], "said", "Nadia Petrov"),
      Q("direct", ["“It is my sentence, with my mistakes in it,”"], [("Ms. Petrov", 1)], "said", "Nadia Petrov")]),

    ("alias-hyphenated",
     "Simone Varga-Holt, a former engineer at Pixelforge, has become one of the company’s sharpest critics.\n\n"
     "“I built parts of that pipeline. I know exactly what went into it,” Varga-Holt said in an interview.",
     [Q("direct", ["“I built parts of that pipeline. I know exactly what went into it,”"], ["Varga-Holt"], "said", "Simone Varga-Holt")]),

    ("floating-next-paragraph",
     "“Every week someone sends me a track that sounds exactly like me,” said Yusuf Karim, a session bassist in Nashville.\n\n"
     "“Sometimes it is flattering. Mostly it is frightening.”",
     [Q("direct", ["“Every week someone sends me a track that sounds exactly like me,”"], ["Yusuf Karim, a session bassist in Nashville"], "said", "Yusuf Karim"),
      Q("floating", ["“Sometimes it is flattering. Mostly it is frightening.”"], ["Yusuf Karim, a session bassist in Nashville"], None, "Yusuf Karim")]),

    ("floating-after-indirect",
     "Arjun Mehta, who chairs the Independent Game Artists Forum, said the studios were treating artists as a free resource. “They would never take a server from a data centre without paying for it.”",
     [Q("indirect", ["the studios were treating artists as a free resource"], ["Arjun Mehta, who chairs the Independent Game Artists Forum"], "said", "Arjun Mehta"),
      Q("floating", ["“They would never take a server from a data centre without paying for it.”"], ["Arjun Mehta, who chairs the Independent Game Artists Forum"], None, "Arjun Mehta")]),

    ("unattributed-lede",
     "“Nobody asked us whether we wanted this.”\n\n"
     "That sentence now appears on placards at almost every protest organised by illustrators in Europe, where a wave of lawsuits against image generators is expected this year.",
     [Q("direct", ["“Nobody asked us whether we wanted this.”"])]),

    ("anonymous-employee",
     "“We were told to stop asking where the data came from,” one former Brightloom engineer said, speaking on condition of anonymity.",
     [Q("direct", ["“We were told to stop asking where the data came from,”"], ["one former Brightloom engineer"], "said", None)]),

    ("according-to-familiar",
     "Pixelforge is preparing to settle with a group of photographers, according to a person familiar with the talks.",
     [Q("indirect", ["Pixelforge is preparing to settle with a group of photographers"], ["a person familiar with the talks"], "according to", None)]),

    ("mixed-said-that",
     "Patrick Doyle, the label’s head of digital, said that the new deal “puts real money in the pockets of working musicians” for the first time since streaming began.",
     [Q("mixed", ["the new deal “puts real money in the pockets of working musicians” for the first time since streaming began"], ["Patrick Doyle, the label’s head of digital"], "said", "Patrick Doyle")]),

    ("mixed-called",
     "Zainab Bello, a novelist and board member of the Authors Rights Network, called the settlement “a down payment on a debt that is far larger.”",
     [Q("mixed", ["“a down payment on a debt that is far larger.”"], ["Zainab Bello, a novelist and board member of the Authors Rights Network"], "called", "Zainab Bello")]),

    ("mixed-described-as",
     "Hugo Marchetti, who represents the estates of several painters, described the new opt-out registry as “a filing cabinet with a lock on the wrong side.”",
     [Q("mixed", ["“a filing cabinet with a lock on the wrong side.”"], ["Hugo Marchetti, who represents the estates of several painters"], "described", "Hugo Marchetti")]),

    ("indirect-told-that",
     "Marta Kowalska told reporters after the hearing that the committee would publish draft rules on training data before the summer.",
     [Q("indirect", ["the committee would publish draft rules on training data before the summer"], ["Marta Kowalska"], "told", "Marta Kowalska")]),

    ("indirect-argued-warned",
     "Gabriel Duarte, a lawyer for the photographers, argued that scraping a website is not the same as licensing its contents. He warned that the court’s decision could reach far beyond photography.",
     [Q("indirect", ["scraping a website is not the same as licensing its contents"], ["Gabriel Duarte, a lawyer for the photographers"], "argued", "Gabriel Duarte"),
      Q("indirect", ["the court’s decision could reach far beyond photography"], ["He"], "warned", "Gabriel Duarte")]),

    ("neg-scare-quotes",
     "The industry’s favourite phrase this year has been “responsible AI,” though few companies agree on what it means. Some describe their models as “ethically trained.”",
     []),

    ("neg-titles",
     "The exhibition, “Machines Dreaming of Paint,” opens at the Harbour Gallery next month alongside a panel titled “Who Owns a Style?”",
     []),

    ("neg-nickname",
     "Critics have nicknamed the proposal the “scrape now, pay later” law, a label its sponsors reject.",
     []),

    ("neg-said-no-clause",
     "The studio said goodbye to its last hand-drawn production in 2019. Asked whether it would return to traditional animation, a spokesperson did not say.",
     []),

    ("question-asked",
     "“Who pays the artist when the machine sells the picture?” asked Leila Nasser, an illustrator, during the panel’s question session.",
     [Q("direct", ["“Who pays the artist when the machine sells the picture?”"], ["Leila Nasser, an illustrator"], "asked", "Leila Nasser")]),

    ("exclamation-dash",
     "“Pay the artists — it really is that simple!” Quentin Hale shouted from the back of the hall.",
     [Q("direct", ["“Pay the artists — it really is that simple!”"], ["Quentin Hale"], "shouted", "Quentin Hale")]),

    ("wrote-blog-title-name",
     "“We made a mistake, and we are fixing it,” Verselab co-founder Wen Li wrote in a blog post on Sunday.",
     [Q("direct", ["“We made a mistake, and we are fixing it,”"], ["Verselab co-founder Wen Li"], "wrote", "Wen Li")]),

    ("told-newspaper",
     "“If we lose this case, every sketchbook on the internet becomes free raw material,” Ruth Adeyemi told the Daily Ledger.",
     [Q("direct", ["“If we lose this case, every sketchbook on the internet becomes free raw material,”"], ["Ruth Adeyemi"], "told", "Ruth Adeyemi")]),

    ("two-quotes-added-colon",
     "“The settlement is a start,” said Felix Ortega, a photographer in Valencia. He added: “But it does nothing for the people whose work has already been copied a million times.”",
     [Q("direct", ["“The settlement is a start,”"], ["Felix Ortega, a photographer in Valencia"], "said", "Felix Ortega"),
      Q("direct", ["“But it does nothing for the people whose work has already been copied a million times.”"], ["He"], "added", "Felix Ortega")]),

    ("debate-alternating",
     "The two panellists disagreed sharply.\n\n"
     "“Style cannot be owned,” said Ethan Price, a researcher at the Open Models Institute. “Artists have always learned from each other.”\n\n"
     "“Learning is not the same as copying at industrial scale,” replied Sofia Brandt, a cartoonist.\n\n"
     "Price shook his head. “Then write a law that says where the line is,” he said.",
     [Q("direct", ["“Style cannot be owned,”", "“Artists have always learned from each other.”"], ["Ethan Price, a researcher at the Open Models Institute"], "said", "Ethan Price"),
      Q("direct", ["“Learning is not the same as copying at industrial scale,”"], ["Sofia Brandt, a cartoonist"], "replied", "Sofia Brandt"),
      Q("direct", ["“Then write a law that says where the line is,”"], ["he"], "said", "Ethan Price")]),

    ("says-present-relcl",
     "“I don’t want to stop the technology. I want to be asked,” says Moses Kariuki, who has illustrated children’s books for 20 years.",
     [Q("direct", ["“I don’t want to stop the technology. I want to be asked,”"], ["Moses Kariuki, who has illustrated children’s books for 20 years"], "says", "Moses Kariuki")]),

    ("in-statement-colon",
     "In a statement, Canvasly said: “Contributors who do not wish to take part can remove their work at any time.”",
     [Q("direct", ["“Contributors who do not wish to take part can remove their work at any time.”"], ["Canvasly"], "said", "Canvasly")]),

    ("the-statement-said",
     "Echoform issued a statement late on Thursday. “The company has never sold user data, and it never will,” the statement said.",
     [Q("direct", ["“The company has never sold user data, and it never will,”"], ["the statement"], "said", "Echoform")]),

    ("said-name-who",
     "“Our catalogue was built over 50 years by people who trusted us,” said Olivia Brennan, who runs the archive at Harbour Records.",
     [Q("direct", ["“Our catalogue was built over 50 years by people who trusted us,”"], ["Olivia Brennan, who runs the archive at Harbour Records"], "said", "Olivia Brennan")]),

    ("said-org-title-name",
     "“We will not license a single recording until the artists agree,” said Harbour Records chief executive Daniel Osei.",
     [Q("direct", ["“We will not license a single recording until the artists agree,”"], ["Harbour Records chief executive Daniel Osei"], "said", "Daniel Osei")]),

    ("speaking-at-indirect",
     "Tomas Reinholt, speaking at a music technology fair in Berlin, said most listeners could not tell an AI-generated track from a human one.",
     [Q("indirect", ["most listeners could not tell an AI-generated track from a human one"], ["Tomas Reinholt, speaking at a music technology fair in Berlin"], "said", "Tomas Reinholt")]),

    ("direct-then-adding",
     "“Training on our members’ work without permission is simply copying,” said Alma Reyes-Ortiz, general secretary of the Translators’ Union, adding that the union would take the case to court if necessary.",
     [Q("direct", ["“Training on our members’ work without permission is simply copying,”"], ["Alma Reyes-Ortiz, general secretary of the Translators’ Union"], "said", "Alma Reyes-Ortiz"),
      Q("indirect", ["the union would take the case to court if necessary"], ["Alma Reyes-Ortiz, general secretary of the Translators’ Union"], "adding", "Alma Reyes-Ortiz")]),

    ("summed-up-colon",
     "The voice actor Jonas Aldridge-Peel summed up the mood in the room: “Nobody here is against computers. We are against being replaced by our own recordings.”",
     [Q("direct", ["“Nobody here is against computers. We are against being replaced by our own recordings.”"], ["The voice actor Jonas Aldridge-Peel"], "summed", "Jonas Aldridge-Peel")]),

    ("floating-after-narrative",
     "Leila Nasser has stopped posting her work online. “Every upload felt like a donation to a company I had never heard of.”",
     [Q("floating", ["“Every upload felt like a donation to a company I had never heard of.”"], ["Leila Nasser"], None, "Leila Nasser")]),

    ("chant-generic",
     "Protesters outside the Pixelforge offices chanted “pay the artists, not the lawyers” for most of the afternoon.",
     [Q("direct", ["“pay the artists, not the lawyers”"], ["Protesters outside the Pixelforge offices"], "chanted", None)]),

    ("straight-split-apostrophes",
     "\"We're not asking for special treatment,\" Clara Jansen said. \"We're asking for the same deal every other supplier gets.\"",
     [Q("direct", ["\"We're not asking for special treatment,\"", "\"We're asking for the same deal every other supplier gets.\""], ["Clara Jansen"], "said", "Clara Jansen")]),

    ("mixed-told-email",
     "Daniel Osei told staff in an email that the label would “never again sign a deal we cannot explain to our own artists.”",
     [Q("mixed", ["the label would “never again sign a deal we cannot explain to our own artists.”"], ["Daniel Osei"], "told", "Daniel Osei")]),

    ("pre-tag-comma",
     "Asked about the lawsuit, Wen Li said, “We will defend our product, but we will also listen.”",
     [Q("direct", ["“We will defend our product, but we will also listen.”"], ["Wen Li"], "said", "Wen Li")]),

    ("prev-para-colon-multi",
     "Ines Carvalho described what happened next:\n\n"
     "“I opened the app and typed my own name. It sang back to me in my own voice.\n\n"
     "“I do not think I have ever been that angry.”",
     [Q("direct", ["“I opened the app and typed my own name. It sang back to me in my own voice.", "“I do not think I have ever been that angry.”"], ["Ines Carvalho"], "described", "Ines Carvalho")]),

    ("two-speakers-one-paragraph",
     "“The deal is fair,” said Lionel Strand. But Amira Haddad, who has sued Pixelforge, said the company “still hasn’t named a single artist it paid.”",
     [Q("direct", ["“The deal is fair,”"], ["Lionel Strand"], "said", "Lionel Strand"),
      Q("mixed", ["the company “still hasn’t named a single artist it paid.”"], ["Amira Haddad, who has sued Pixelforge"], "said", "Amira Haddad")]),

    ("pronoun-it-direct",
     "Quillstream has defended its licensing pool. “Authors can leave whenever they like, and they keep every penny they have earned,” it said on Tuesday.",
     [Q("direct", ["“Authors can leave whenever they like, and they keep every penny they have earned,”"], ["it"], "said", "Quillstream")]),

    ("pronoun-he-told",
     "Rafael Montoya founded Melodex in 2021 after a decade at Sonaris. “I saw how the big platforms treated musicians, and I wanted to build the opposite,” he told the Daily Ledger.",
     [Q("direct", ["“I saw how the big platforms treated musicians, and I wanted to build the opposite,”"], ["he"], "told", "Rafael Montoya")]),

    ("scare-then-quote",
     "Brightloom calls its approach “consent-first.” Critics are unconvinced. “Consent-first means nothing if the default is yes,” said Paula Grimm, a policy adviser at the Authors Rights Network.",
     [Q("direct", ["“Consent-first means nothing if the default is yes,”"], ["Paula Grimm, a policy adviser at the Authors Rights Network"], "said", "Paula Grimm")]),

    ("said-inside-quote",
     "“He said we would be paid, and we never were,” Paula Grimm said of the company’s founder.",
     [Q("direct", ["“He said we would be paid, and we never were,”"], ["Paula Grimm"], "said", "Paula Grimm")]),

    ("generic-plural-indirect",
     "Several artists said they had found their own signatures, slightly blurred, in images produced by the tool.",
     [Q("indirect", ["they had found their own signatures, slightly blurred, in images produced by the tool"], ["Several artists"], "said", None)]),

    ("named-spokesman-appositive",
     "Paul Eder, a Melodex spokesman, said the company would publish the names of its licensing partners next month.",
     [Q("indirect", ["the company would publish the names of its licensing partners next month"], ["Paul Eder, a Melodex spokesman"], "said", "Paul Eder")]),

    ("long-settlement",
     "Pixelforge agrees to pay photographers in landmark settlement\n\n"
     "Pixelforge, the image-generation startup, has agreed to pay $18 million to settle a lawsuit brought by a group of wildlife photographers, the company said on Monday.\n\n"
     "The photographers accused Pixelforge of copying more than two million of their images to train its models. Under the settlement, the company will also delete a dataset assembled in 2022.\n\n"
     "“This settlement lets us focus on building tools that photographers actually want to use,” said Lionel Strand, Pixelforge’s chief executive. Strand said the company did not admit wrongdoing.\n\n"
     "Rosa Delgado, a photographer who led the group, said the money mattered less than the precedent. “For the first time, a company has had to put a price on what it took,” she said. “That price will only go up.”\n\n"
     "Pixelforge’s rivals were quieter. A spokesperson for Brightloom declined to comment.",
     [Q("indirect", ["Pixelforge, the image-generation startup, has agreed to pay $18 million to settle a lawsuit brought by a group of wildlife photographers"], ["the company"], "said", "Pixelforge"),
      Q("direct", ["“This settlement lets us focus on building tools that photographers actually want to use,”"], ["Lionel Strand, Pixelforge’s chief executive"], "said", "Lionel Strand"),
      Q("indirect", ["the company did not admit wrongdoing"], ["Strand"], "said", "Lionel Strand"),
      Q("indirect", ["the money mattered less than the precedent"], ["Rosa Delgado, a photographer who led the group"], "said", "Rosa Delgado"),
      Q("direct", ["“For the first time, a company has had to put a price on what it took,”", "“That price will only go up.”"], ["she"], "said", "Rosa Delgado")]),

    ("long-complaint",
     "The Voice Actors Coalition has asked regulators to investigate Echoform, a company that sells synthetic voices to game studios.\n\n"
     "In a complaint filed on Tuesday, the coalition said Echoform had built at least a dozen of its voices from recordings made for other clients. It asked the Creative Rights Commission to order the company to stop selling them.\n\n"
     "“These are our members’ voices, recorded for one job and sold forever,” said Naomi Fischer, the coalition’s president.\n\n"
     "Echoform rejected the claims. “Every voice in our library was recorded under a contract that allows this use,” the company said in an emailed statement. “We will show that to the commission.”\n\n"
     "The commission confirmed that it had received the complaint but did not say when it would decide whether to open a case.",
     [Q("indirect", ["Echoform had built at least a dozen of its voices from recordings made for other clients"], ["the coalition"], "said", "Voice Actors Coalition"),
      Q("direct", ["“These are our members’ voices, recorded for one job and sold forever,”"], ["Naomi Fischer, the coalition’s president"], "said", "Naomi Fischer"),
      Q("direct", ["“Every voice in our library was recorded under a contract that allows this use,”", "“We will show that to the commission.”"], ["the company"], "said", "Echoform"),
      Q("indirect", ["it had received the complaint"], ["The commission"], "confirmed", "Creative Rights Commission")]),

    ("long-assembly",
     "Lawmakers in the state assembly voted 41 to 12 on Wednesday to require AI companies to disclose the copyrighted works used to train their models.\n\n"
     "The bill’s sponsor, Assemblywoman Teresa Valdivia, said the vote sent a message to the industry. “If you built your business on other people’s work, you can at least tell them,” she said.\n\n"
     "Opponents argued that the disclosure rule would be impossible to comply with. Graham Pell, who represents a coalition of software companies, called it “a paperwork trap dressed up as transparency.”\n\n"
     "The bill now goes to the state senate.",
     [Q("indirect", ["the vote sent a message to the industry"], ["The bill’s sponsor, Assemblywoman Teresa Valdivia"], "said", "Teresa Valdivia"),
      Q("direct", ["“If you built your business on other people’s work, you can at least tell them,”"], ["she"], "said", "Teresa Valdivia"),
      Q("indirect", ["the disclosure rule would be impossible to comply with"], ["Opponents"], "argued", None),
      Q("mixed", ["“a paperwork trap dressed up as transparency.”"], ["Graham Pell, who represents a coalition of software companies"], "called", "Graham Pell")]),

    ("long-feature-says",
     "Kwame Asante has written songs for other people for 15 years. Last spring he heard one of his unreleased demos, or something very close to it, in a video advertising a music generator.\n\n"
     "“The melody, the chord changes, even a little mistake I made in the bridge,” Asante says. “It was all there.”\n\n"
     "Asante says he never uploaded the demo anywhere public. He believes it leaked from a shared drive used by a studio he once worked with.\n\n"
     "Verselab, which makes the generator, says its model was trained only on licensed catalogues. “We have found no evidence that the recording in question was used,” a spokesperson said.",
     [Q("direct", ["“The melody, the chord changes, even a little mistake I made in the bridge,”", "“It was all there.”"], [("Asante", 1)], "says", "Kwame Asante"),
      Q("indirect", ["he never uploaded the demo anywhere public"], [("Asante", 2)], "says", "Kwame Asante"),
      Q("indirect", ["its model was trained only on licensed catalogues"], ["Verselab, which makes the generator"], "says", "Verselab"),
      Q("direct", ["“We have found no evidence that the recording in question was used,”"], ["a spokesperson"], "said", "Verselab")]),

    ("long-summit",
     "At the Creators’ Summit in Lisbon, the mood toward AI companies was cooler than a year ago.\n\n"
     "“Last year they told us to ‘embrace the future,’” said Marisol Ortega, a comic-book artist. “This year we read the fine print.”\n\n"
     "Ortega said her publisher had added a clause to her contract in January allowing the firm to license her drawings for machine learning. She refused to sign it.\n\n"
     "Daniel Brooks, a lawyer who advises several artists’ groups, told the audience that such clauses were now “the rule, not the exception,” and urged artists to read every renewal carefully.",
     [Q("direct", ["“Last year they told us to ‘embrace the future,’”", "“This year we read the fine print.”"], ["Marisol Ortega, a comic-book artist"], "said", "Marisol Ortega"),
      Q("indirect", ["her publisher had added a clause to her contract in January allowing the firm to license her drawings for machine learning"], ["Ortega"], "said", "Marisol Ortega"),
      Q("mixed", ["such clauses were now “the rule, not the exception,”"], ["Daniel Brooks, a lawyer who advises several artists’ groups"], "told", "Daniel Brooks")]),

    ("long-hearing-straight",
     "Record labels and AI developers traded accusations at a committee hearing on Thursday.\n\n"
     "\"Our members invested billions in these recordings,\" said Victor Almeida, who heads the Phonographic Rights Association. \"Nobody gets to copy them for free because the copying is done by software.\"\n\n"
     "Nina Sorensen, the general counsel of Brightloom, told the committee that training a model does not store copies of songs. \"The model learns patterns, the way a student does,\" she said.\n\n"
     "Almeida was unmoved. \"Students pay tuition,\" he said.",
     [Q("direct", ["\"Our members invested billions in these recordings,\"", "\"Nobody gets to copy them for free because the copying is done by software.\""], ["Victor Almeida, who heads the Phonographic Rights Association"], "said", "Victor Almeida"),
      Q("indirect", ["training a model does not store copies of songs"], ["Nina Sorensen, the general counsel of Brightloom"], "told", "Nina Sorensen"),
      Q("direct", ["\"The model learns patterns, the way a student does,\""], ["she"], "said", "Nina Sorensen"),
      Q("direct", ["\"Students pay tuition,\""], ["he"], "said", "Victor Almeida")]),

    ("long-union-vote",
     "Members of the Federation of Screenwriters voted overwhelmingly on Saturday to approve a contract that limits how studios can use AI.\n\n"
     "The agreement bars studios from using scripts to train models without the writer’s consent, the union said. Writers will also be told when material they are given was produced by a machine.\n\n"
     "“This is the first contract anywhere that treats a writer’s pages as something you have to ask for,” said Declan Moore, the union’s president.\n\n"
     "The Alliance of Film Producers, which negotiated for the studios, said in a statement that the deal “reflects the realities of a changing industry.” It declined to answer further questions.",
     [Q("indirect", ["The agreement bars studios from using scripts to train models without the writer’s consent"], ["the union"], "said", "Federation of Screenwriters"),
      Q("direct", ["“This is the first contract anywhere that treats a writer’s pages as something you have to ask for,”"], ["Declan Moore, the union’s president"], "said", "Declan Moore"),
      Q("mixed", ["the deal “reflects the realities of a changing industry.”"], ["The Alliance of Film Producers, which negotiated for the studios"], "said", "Alliance of Film Producers")]),

    ("long-regulator",
     "The Creative Rights Commission will open a public consultation on AI training next month, its chair, Helena Marsh, said on Tuesday.\n\n"
     "Marsh said the commission wanted to hear from individual creators as well as from companies. “The people with the least money to hire lawyers are often the ones with the most at stake,” Marsh said.\n\n"
     "“We will read every submission.”\n\n"
     "Tech industry groups welcomed the announcement. Open Models Institute director Sam Whitlock said he hoped the consultation would produce “clear rules that apply to everyone.”",
     [Q("indirect", ["The Creative Rights Commission will open a public consultation on AI training next month"], ["its chair, Helena Marsh"], "said", "Helena Marsh"),
      Q("indirect", ["the commission wanted to hear from individual creators as well as from companies"], [("Marsh", 1)], "said", "Helena Marsh"),
      Q("direct", ["“The people with the least money to hire lawyers are often the ones with the most at stake,”"], [("Marsh", 2)], "said", "Helena Marsh"),
      Q("floating", ["“We will read every submission.”"], [("Marsh", 2)], None, "Helena Marsh"),
      Q("mixed", ["he hoped the consultation would produce “clear rules that apply to everyone.”"], ["Open Models Institute director Sam Whitlock"], "said", "Sam Whitlock")]),

    ("headline-straight-colon-org",
     "Canvasly: \"We will share revenue with every contributor\"\n\n"
     "The stock-image site Canvasly said on Thursday that it would share half of its licensing income from AI developers with the photographers and illustrators whose work it sells.",
     [Q("direct", ["\"We will share revenue with every contributor\""], [("Canvasly", 0)], None, "Canvasly"),
      Q("indirect", ["it would share half of its licensing income from AI developers with the photographers and illustrators whose work it sells"], ["The stock-image site Canvasly"], "said", "Canvasly")]),

    ("neg-no-speech",
     "The report found that 60 per cent of surveyed illustrators had lost commissions since image generators became widely available. Its authors believe the figure is an underestimate.",
     []),

    ("unbalanced-mark-narrative",
     "The phrase “fair compensation appears nowhere in the draft, which runs to 40 pages. Officials expect a revised version in the autumn.",
     []),

    ("pronoun-she-across-paragraph",
     "Helena Marsh has chaired the Creative Rights Commission since 2022.\n\n"
     "“Copyright law was written for printing presses, and we are asking it to govern statistics,” she told a conference in Dublin.",
     [Q("direct", ["“Copyright law was written for printing presses, and we are asking it to govern statistics,”"], ["she"], "told", "Helena Marsh")]),

    ("explained-post-tag-relcl-subject",
     "“A model that forgets nothing cannot be asked to forget one artist,” Nina Sorensen, who has advised three AI start-ups, explained at the hearing.",
     [Q("direct", ["“A model that forgets nothing cannot be asked to forget one artist,”"], ["Nina Sorensen, who has advised three AI start-ups"], "explained", "Nina Sorensen")]),

    ("tweet-posted",
     "“Dear Melodex: my voice is not a preset,” the singer Tara Quinlan posted on social media on Friday, sharing a clip of a track that imitates her voice.",
     [Q("direct", ["“Dear Melodex: my voice is not a preset,”"], ["the singer Tara Quinlan"], "posted", "Tara Quinlan")]),
    ("h-dateline-age",
     "LONDON — Imogen Vance, 54, has recorded audiobooks for three decades. “I can hear my own breathing in their samples,” Vance, who lives in Bristol, said Tuesday.",
     [Q("direct", ["“I can hear my own breathing in their samples,”"], ["Vance, who lives in Bristol"], "said", "Imogen Vance")]),
    ("h-company-in-statement-that",
     "The company, in a statement, said that it had removed the disputed voices from its catalogue and would review how they were made.",
     [Q("indirect", ["it had removed the disputed voices from its catalogue and would review how they were made"], ["The company"], "said", None)]),
    ("h-mr-honorific",
     "Mr. Hiroshi Tanabe, the guild’s treasurer, said the fund would be shared among members. “Nobody will be left out,” he said.",
     [Q("indirect", ["the fund would be shared among members"], ["Mr. Hiroshi Tanabe, the guild’s treasurer"], "said", "Hiroshi Tanabe"),
      Q("direct", ["“Nobody will be left out,”"], ["he"], "said", "Hiroshi Tanabe")]),
    ("h-lawyer-possessive",
     "Corvid Media’s lawyer, Simon Achterberg, told the court that the images had been collected by a third party. “My client bought a dataset in good faith,” Achterberg said.",
     [Q("indirect", ["the images had been collected by a third party"], ["Corvid Media’s lawyer, Simon Achterberg"], "told", "Simon Achterberg"),
      Q("direct", ["“My client bought a dataset in good faith,”"], ["Achterberg"], "said", "Simon Achterberg")]),
    ("h-spokeswoman-for-department",
     "A spokeswoman for the Department for Culture said the government would publish its proposals in the spring.",
     [Q("indirect", ["the government would publish its proposals in the spring"], ["A spokeswoman for the Department for Culture"], "said", "Department for Culture")]),
    ("h-judge-ruling",
     "Judge Anita Wills wrote in her ruling that copying an entire archive “cannot be waved through as a technicality.” Lawyers for the archive said they were pleased.",
     [Q("mixed", ["copying an entire archive “cannot be waved through as a technicality.”"], ["Judge Anita Wills"], "wrote", "Anita Wills"),
      Q("indirect", ["they were pleased"], ["Lawyers for the archive"], "said", None)]),
    ("h-split-three-fragments",
     "“We are not Luddites,” said Bram Okoye, a drummer. “We use computers every day. We just want to be paid when a computer uses us.”",
     [Q("direct", ["“We are not Luddites,”", "“We use computers every day. We just want to be paid when a computer uses us.”"], ["Bram Okoye, a drummer"], "said", "Bram Okoye")]),
    ("h-two-speakers-while",
     "“This will destroy small studios,” said Petra Lind, an animator, while her colleague Omar Sayed said the rules “do not go far enough.”",
     [Q("direct", ["“This will destroy small studios,”"], ["Petra Lind, an animator"], "said", "Petra Lind"),
      Q("mixed", ["the rules “do not go far enough.”"], ["her colleague Omar Sayed"], "said", "Omar Sayed")]),
    ("h-acronym-org-which",
     "“Session musicians are the first to be replaced,” said the GSM, which represents about 9,000 players.",
     [Q("direct", ["“Session musicians are the first to be replaced,”"], ["the GSM, which represents about 9,000 players"], "said", "GSM")]),
    ("h-passive-dubbed-neg",
     "Kofi Mensah was dubbed “the father of machine-made highlife” by a music blog in 2023. He rejects the label.",
     []),
    ("h-ministry-statement-that",
     "The Ministry of Culture said in a statement that it was studying the French and Japanese approaches to AI training.",
     [Q("indirect", ["it was studying the French and Japanese approaches to AI training"], ["The Ministry of Culture"], "said", "Ministry of Culture")]),
    ("h-question-she-asked",
     "Delia Moss has been asking the same thing for a year. “If my drawings are worth nothing, why do they need so many of them?” she asked.",
     [Q("direct", ["“If my drawings are worth nothing, why do they need so many of them?”"], ["she"], "asked", "Delia Moss")]),
    ("h-according-statement-from",
     "The feature will be switched off in Europe next week, according to a statement from Sonaris.",
     [Q("indirect", ["The feature will be switched off in Europe next week"], ["a statement from Sonaris"], "according to", "Sonaris")]),
    ("h-interview-told-that",
     "In an interview with the Evening Courier last week, Marguerite Olsen said she had stopped selling prints online. “Every sale felt like I was feeding the machine,” Olsen said.",
     [Q("indirect", ["she had stopped selling prints online"], ["Marguerite Olsen"], "said", "Marguerite Olsen"),
      Q("direct", ["“Every sale felt like I was feeding the machine,”"], ["Olsen"], "said", "Marguerite Olsen")]),
    ("h-says-feature-org",
     "Brightloom says it has signed licensing deals with 14 photo agencies. Its chief technology officer, Ravi Anand, says the company “would rather pay than fight.”",
     [Q("indirect", ["it has signed licensing deals with 14 photo agencies"], ["Brightloom"], "says", "Brightloom"),
      Q("mixed", ["the company “would rather pay than fight.”"], ["Its chief technology officer, Ravi Anand"], "says", "Ravi Anand")]),
    ("h-title-neg-song",
     "The single “Ghost in the Chorus” reached number four last week, and its video has been watched 20 million times.",
     []),
    ("h-floating-two-paragraphs",
     "“We were promised a seat at the table,” said Lena Ruiz, who chairs the Dubbing Artists Union.\n\n“Instead we got a link to a survey.”\n\n“Nobody answered it,” she added.",
     [Q("direct", ["“We were promised a seat at the table,”"], ["Lena Ruiz, who chairs the Dubbing Artists Union"], "said", "Lena Ruiz"),
      Q("floating", ["“Instead we got a link to a survey.”"], ["Lena Ruiz, who chairs the Dubbing Artists Union"], None, "Lena Ruiz"),
      Q("direct", ["“Nobody answered it,”"], ["she"], "added", "Lena Ruiz")]),
    ("h-colon-said-org-spokesperson-named",
     "Pixelforge spokesperson Amelie Brandt said: “We have offered every photographer in the lawsuit the same terms.”",
     [Q("direct", ["“We have offered every photographer in the lawsuit the same terms.”"], ["Pixelforge spokesperson Amelie Brandt"], "said", "Amelie Brandt")]),
    ("h-group-they-pronoun",
     "The Independent Illustrators Alliance wrote to the minister on Monday. They said the draft code “reads as if it was written by the companies it is meant to regulate.”",
     [Q("mixed", ["the draft code “reads as if it was written by the companies it is meant to regulate.”"], ["They"], "said", "Independent Illustrators Alliance")]),
    ("h-quote-then-tag-told",
     "“Our members have been asking for this for years,” Kamala Reddy, the federation’s general secretary, told the Morning Post on Wednesday.",
     [Q("direct", ["“Our members have been asking for this for years,”"], ["Kamala Reddy, the federation’s general secretary"], "told", "Kamala Reddy")]),
    ("h2-the-singer-said",
     "Maya Ferreira learned about the clone from a fan. “It had my phrasing, my accent, even the way I miss a note when I’m tired,” the singer said.",
     [Q("direct", ["“It had my phrasing, my accent, even the way I miss a note when I’m tired,”"], ["the singer"], "said", "Maya Ferreira")]),
    ("h2-year-old",
     "Tobiah Grant started uploading his sketches in 2012. “I thought the internet was a gallery,” the 31-year-old said. “It turned out to be a quarry.”",
     [Q("direct", ["“I thought the internet was a gallery,”", "“It turned out to be a quarry.”"], ["the 31-year-old"], "said", "Tobiah Grant")]),
    ("h2-wrote-instagram",
     "“Please stop sending me songs that sound like me and asking if they are me,” Juno Park wrote on Instagram. “They are not.”",
     [Q("direct", ["“Please stop sending me songs that sound like me and asking if they are me,”", "“They are not.”"], ["Juno Park"], "wrote", "Juno Park")]),
    ("h2-and-continuation",
     "“The tools are impressive,” said Aurelio Campos, a film editor, “and that is exactly why we need rules before they are everywhere.”",
     [Q("direct", ["“The tools are impressive,”", "“and that is exactly why we need rules before they are everywhere.”"], ["Aurelio Campos, a film editor"], "said", "Aurelio Campos")]),
    ("h2-parenthetical",
     "The platform (which says it has 40 million users) told creators in an email that their uploads “may be used to improve our services.”",
     [Q("mixed", ["their uploads “may be used to improve our services.”"], ["The platform (which says it has 40 million users)"], "told", None)]),
    ("h2-narrative-said-no-clause",
     "Verselab said little at the launch event. Its founders posed for photographs and left early.",
     []),
    ("h2-quote-with-he-said-inside",
     "“My manager told me, ‘Just sign it, everyone else has,’ and I did,” said Keanu Adler, a session guitarist.",
     [Q("direct", ["“My manager told me, ‘Just sign it, everyone else has,’ and I did,”"], ["Keanu Adler, a session guitarist"], "said", "Keanu Adler")]),
    ("h2-text-message",
     "Asked whether the company would appeal, Harmonia Records chief executive Lotte Brink said in a text message: “We are considering all options.”",
     [Q("direct", ["“We are considering all options.”"], ["Harmonia Records chief executive Lotte Brink"], "said", "Lotte Brink")]),
    ("h2-pronoun-two-women",
     "Rosa Lindqvist and her publisher, Helga Marr, disagree about the contract. Lindqvist said she never agreed to machine licensing. “I would remember signing that,” she said.",
     [Q("indirect", ["she never agreed to machine licensing"], ["Lindqvist"], "said", "Rosa Lindqvist"),
      Q("direct", ["“I would remember signing that,”"], ["she"], "said", "Rosa Lindqvist")]),
    ("h2-long-mixed-narrative",
     "The Guild of Voice Performers has spent months negotiating with game studios. On Friday it said talks had collapsed.\n\n"
     "“The studios offered us a one-time fee for the right to use our voices forever,” said Tamsin Reed, the guild’s lead negotiator. “No performer could accept that.”\n\n"
     "A spokesperson for the studios’ trade body, the Interactive Entertainment Council, said the offer was “generous by any industry standard” and that talks could resume at any time.\n\n"
     "Reed said the guild would ballot its members on industrial action next month.",
     [Q("indirect", ["talks had collapsed"], ["it"], "said", "Guild of Voice Performers"),
      Q("direct", ["“The studios offered us a one-time fee for the right to use our voices forever,”", "“No performer could accept that.”"], ["Tamsin Reed, the guild’s lead negotiator"], "said", "Tamsin Reed"),
      Q("mixed", ["the offer was “generous by any industry standard” and that talks could resume at any time"], ["A spokesperson for the studios’ trade body, the Interactive Entertainment Council"], "said", "Interactive Entertainment Council"),
      Q("indirect", ["the guild would ballot its members on industrial action next month"], ["Reed"], "said", "Tamsin Reed")]),
    ("h2-headline-says-person",
     "AI firm copied my paintings, says artist\n\n"
     "Nadine Okoro says an image generator reproduced dozens of her paintings almost exactly.",
     [Q("indirect", ["AI firm copied my paintings"], ["artist"], ("says", 0), None),
      Q("indirect", ["an image generator reproduced dozens of her paintings almost exactly"], ["Nadine Okoro"], "says", "Nadine Okoro")]),
]
