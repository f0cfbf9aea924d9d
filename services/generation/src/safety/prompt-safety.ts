/**
 * The content-safety check in front of every job: a rule-based classifier over the prompt.
 *
 * Words alone do not decide. "Shooting a documentary", "a killer sunset" and "a shot of
 * espresso" are fine; harm needs a harmful act aimed at someone, sexual content needs explicit
 * terms, anything sexual next to a minor is refused, and hate needs a group named as a target
 * of violence or dehumanisation. Each refusal names its rule, so support can review a false
 * positive. Pure: no I/O, the same prompt always gets the same verdict.
 */

export type SafetyCategory = 'minors' | 'sexual' | 'violence' | 'hate';

export type SafetyVerdict =
  | { allowed: true }
  | { allowed: false; rule: string; category: SafetyCategory; explanation: string };

interface Rule {
  id: string;
  category: SafetyCategory;
  explanation: string;
  /** Matches on the normalised prompt. */
  test(text: string): boolean;
}

/** Lower case, accents and look-alike characters folded, punctuation to spaces, `n.u.d.e` joined. */
export function normalisePrompt(prompt: string): string {
  const leet: Record<string, string> = {
    '0': 'o',
    '1': 'i',
    '3': 'e',
    '4': 'a',
    '5': 's',
    '7': 't',
    '@': 'a',
    $: 's',
  };
  return (
    prompt
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      // Digits and symbols inside words are letters in disguise ("nud3", "p0rn"); numbers stay numbers.
      .replace(/[a-z][a-z0-9@$]*[0-9@$][a-z0-9@$]*/g, (word) =>
        /[a-z]/.test(word) ? word.replace(/[0-9@$]/g, (c) => leet[c] ?? c) : word,
      )
      // Letters spelled apart ("n.u.d.e", "p o r n") are joined.
      .replace(/\b(?:[a-z][.\-_* ]){2,}[a-z]\b/g, (spelled) => spelled.replace(/[.\-_* ]/g, ''))
      .replace(/([aeiouy])\1{2,}/g, '$1') // "nuuude"; not "xxx" or "kkk"
      .replace(/[^a-z0-9' ]+/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
}

const words = (list: string): string => `(?:${list})`;
const re = (source: string): RegExp => new RegExp(`\\b${source}\\b`);

// Someone who can be harmed.
const person = words(
  'a man|a woman|a person|a child|a kid|a baby|a boy|a girl|a teenager|a student|a family|a cop|a police officer|a soldier|a prisoner|a hostage|the man|the woman|the person|the child|the kid|the baby|the boy|the girl|the family|the hostage|the prisoner|the victim|someone|somebody|people|civilians|students|children|kids|men|women|him|her|them|his wife|her husband|my (?:wife|husband|neighbou?r|boss|teacher|classmates?)|the crowd|a crowd|innocent people|protesters|worshippers|shoppers|passers ?by|the president|a politician|classmates|a protester|protesters|a demonstrator|demonstrators',
);

const minor = words(
  'child|children|childs|kid|kids|toddlers?|babies|baby|infants?|minors?|underage|under age|preteens?|pre teens?|tweens?|teens?|teenagers?|teenage|schoolgirls?|schoolboys?|school girls?|school boys?|little girls?|little boys?|young girls?|young boys?|loli|lolita|shota|jailbait|(?:[1-9]|1[0-7]) ?(?:years? old|yrs? old|yo|y o)|middle schoolers?|elementary school',
);
const minorTerm = re(minor);
const sexualised = words(
  'nude|naked|nudity|topless|bottomless|undress(?:ed|ing)?|no clothes|without clothes|unclothed|sexy|sexual(?:ly|i[sz]ed)?|sex|erotic|seductive|sensual|lingerie|provocative|porn\\w*|nsfw|explicit|strip(?:ping|per|tease)?|bikini|underwear|panties|bra|intimate|fetish|aroused|breasts?|genitals?|bedroom poses?|spread legs|suggestive',
);
const sexualisedTerm = re(sexualised);

const explicitSexual = re(
  words(
    'porn|porno|pornographic|pornography|hentai|xxx|nsfw|rule ?34|onlyfans|sex scene|sex tape|having sex|have sex|sexual intercourse|intercourse|blow ?job|hand ?job|orgasm\\w*|masturbat\\w*|ejaculat\\w*|genitals?|genitalia|penis|vaginas?|vulva|clitoris|nipples?|erotica|erotic (?:scene|video|photo|image|content|act|art)|bdsm|striptease|strip ?club|stripper|cum ?shot|deepthroat|gangbang|threesome sex|sex act|sexual act|lewd|hardcore',
  ),
);
// "Nude" is also a colour ("nude lipstick", "nude heels"); "breast" is also food and medicine.
const plainNudity = re(
  words(
    'fully naked|naked|unclothed|topless|bottomless|no clothes on|without (?:any )?clothes|undressing|undressed|bare breasts?|exposed breasts?|bare chested woman|see through (?:top|dress) with nothing',
  ),
);
const nudeAsColour =
  /\bnude (?:lipstick|lip|lips|makeup|make up|colou?r|colou?red|tones?|shades?|palette|heels|pumps|shoes|nails|nail polish|polish|beige|paint|fabric|dress|gown|stockings|tights|aesthetic|eyeshadow)\b/;
const breastNotBody =
  /\b(?:chicken|turkey|duck|goose|quail|pheasant|grilled|roast(?:ed)?|fried) breasts?\b|\bbreast (?:cancer|feeding|milk|pump|stroke)|\bbreaststroke\b|\bbreastfeeding\b|\bbreastplate\b|\bbreast pocket\b/;
const nudity = (text: string): boolean =>
  plainNudity.test(text) ||
  (/\bnude\b/.test(text) && !nudeAsColour.test(text)) ||
  (/\bnudes\b/.test(text) && !/\bnudes (?:palette|collection|range)\b/.test(text)) ||
  (/\bbreasts?\b/.test(text) && !breastNotBody.test(text));

const graphicViolence = re(
  words(
    'gore|gory|gruesome|splatter(?:ed)? (?:with|in) blood|blood ?bath|dismember\\w*|decapitat\\w*|behead\\w*|disembowel\\w*|mutilat\\w*|eviscerat\\w*|flay(?:ed|ing)? alive|skinn(?:ed|ing) alive|burn(?:ed|ing|t)? alive|torture[ds]?|torturing|snuff (?:film|video)|blood (?:spurting|gushing|pouring|everywhere|splatter)|severed (?:head|heads|limbs?|arms?|legs?|fingers?)|guts spilling|brains? (?:splattered|blown out)|corpses? (?:covered in|soaked in|in a pool of) blood|pool of blood|mass shooting|school shooting|mass murder|massacre of|massacring|genital mutilation|slit(?:ting)? (?:his|her|their|a|the) throat|cut(?:ting)? (?:his|her|their|my) wrists?|self ?harm|suicide bomb\\w*|terrorist attack|lynching|lynched|public execution|execution style|firing squad executing',
  ),
);
const violentAct = words(
  'shoot(?:s|ing)?|shot|stab(?:s|bing|bed)?|kill(?:s|ing|ed)?|murder(?:s|ing|ed)?|strangl(?:e|es|ing|ed)|chok(?:e|es|ing|ed)|beat(?:s|ing)? up|beat(?:s|ing)? to death|beating|assault(?:s|ing|ed)?|attack(?:s|ing|ed)? with a (?:knife|machete|axe|gun|hammer|bat)|run(?:s|ning)? over|hang(?:s|ing)?|drown(?:s|ing|ed)?|burn(?:s|ing)?|rap(?:e|es|ing|ed)|kidnap(?:s|ping|ped)?|execut(?:e|es|ing|ed)|bomb(?:s|ing|ed)?|blow(?:s|ing)? up|massacr(?:e|es|ing|ed)|slaughter(?:s|ing|ed)?|butcher(?:s|ing|ed)?|tortur(?:e|es|ing|ed)',
);
const violenceAgainstPerson = re(`${violentAct} ${person}`);
// "Shooting" is also what cameras do, and "killing" what comedians do on stage.
const photography =
  /\b(?:photographer|photo ?shoot|photos?|portraits?|headshots?|camera|film crew|lens|studio|footage|video of|lookbook|campaign)\b/;
const figurative =
  /\b(?:kill(?:s|ed|ing)?|slay(?:s|ed|ing)?) (?:it|them|him|her) with (?:jokes|kindness|laughter|style|looks|charm)\b/;
const harmsPerson = (t: string): boolean => {
  if (!violenceAgainstPerson.test(t)) {
    return false;
  }
  const withoutShooting = t.replace(/\bshoot(?:s|ing)?\b|\bshot\b/g, ' ');
  if (photography.test(t) && !violenceAgainstPerson.test(withoutShooting)) {
    return false;
  }
  return !figurative.test(t) || violenceAgainstPerson.test(t.replace(figurative, ' '));
};
const selfHarm = re(
  words(
    'kill(?:s|ing)? (?:myself|himself|herself|themselves)|hang(?:s|ing)? (?:myself|himself|herself|themselves)|suicide (?:method|tutorial|how to)|how to (?:commit suicide|kill yourself)|cutting (?:myself|herself|himself)',
  ),
);
const attackOnPlace = re(
  `${words('bomb(?:s|ing|ed)?|blow(?:s|ing)? up|shoot(?:s|ing)? up|attack(?:s|ing|ed)?|set(?:s|ting)? fire to|burn(?:s|ing)? down')} (?:a |the )?${words('school|classroom|church|mosque|synagogue|temple|hospital|crowded (?:mall|market|street|square|stadium|concert|train|bus)|concert crowd|market full of people|building full of people|kindergarten|daycare|nursery')}`,
);
const weaponAtPerson = re(
  `${words('pointing|aiming|holding')} (?:a |the )?${words('gun|pistol|rifle|knife|machete')} (?:at|to) ${person}(?:'?s)? ?(?:head|throat|chest)?`,
);

const group = words(
  'jews|jewish people|muslims|christians|hindus|sikhs|buddhists|atheists|black people|blacks|white people|whites|asians|asian people|arabs|mexicans|latinos|hispanics|africans|immigrants|migrants|refugees|gays|gay people|lesbians|homosexuals|trans people|transgender people|bisexuals|women|disabled people|the disabled|gypsies|roma|indians|chinese people|chinese|japanese people|koreans|russians|ukrainians|palestinians|israelis|catholics|mormons',
);
const hateRules: RegExp[] = [
  re(
    `${words('kill|exterminate|eradicate|gas|hang|lynch|burn|wipe out|get rid of|eliminate|purge|slaughter|deport all|cleanse the world of|death to')} (?:all )?(?:the )?${group}`,
  ),
  re(
    `${group} ${words('are|is')} (?:nothing but |just |all )?${words('vermin|rats|animals|subhuman|sub human|parasites|cockroaches|insects|inferior|a disease|a plague|a cancer|scum|filth|savages|monkeys|apes|pigs|dogs|not human|evil|the enemy')}`,
  ),
  re(
    `${group} ${words('should|must|deserve to|need to|ought to')} ${words('die|be killed|burn|be exterminated|be gassed|be wiped out|be hanged|be shot|be deported|not exist|suffer')}`,
  ),
  re(
    words(
      'heil hitler|sieg heil|white power|white pride rally|white supremacy|race war|14 words|1488|gas the|holocaust (?:was|is) (?:a hoax|fake|good|justified|a lie)|holocaust never happened|(?:celebrat(?:e|es|ing|ed)|glorif(?:y|ies|ying|ied)|promot(?:e|es|ing|ed)) (?:the )?(?:holocaust|genocide|ethnic cleansing|nazis?|kkk)|nazi propaganda|kkk (?:rally|recruitment|poster)|swastika flag (?:rally|propaganda)',
    ),
  ),
];

const rules: Rule[] = [
  {
    id: 'minors.sexualised',
    category: 'minors',
    explanation: 'Sexual or nude content involving a minor is never generated.',
    test: (t) =>
      /\b(?:loli|lolita|shota|jailbait|child porn|cp)\b/.test(t) ||
      (minorTerm.test(t) && sexualisedTerm.test(t)),
  },
  {
    id: 'sexual.explicit',
    category: 'sexual',
    explanation: 'Sexually explicit content is not allowed.',
    test: (t) => explicitSexual.test(t),
  },
  {
    id: 'sexual.nudity',
    category: 'sexual',
    explanation: 'Nudity is not allowed.',
    test: nudity,
  },
  {
    id: 'violence.graphic',
    category: 'violence',
    explanation: 'Graphic violence, gore and torture are not allowed.',
    test: (t) => graphicViolence.test(t),
  },
  {
    id: 'violence.against-people',
    category: 'violence',
    explanation: 'Depicting people being killed, shot, stabbed or attacked is not allowed.',
    test: (t) => harmsPerson(t) || attackOnPlace.test(t) || weaponAtPerson.test(t),
  },
  {
    id: 'violence.self-harm',
    category: 'violence',
    explanation: 'Suicide and self-harm are not depicted.',
    test: (t) => selfHarm.test(t),
  },
  {
    id: 'hate.targeted',
    category: 'hate',
    explanation: 'Content attacking or dehumanising people for who they are is not allowed.',
    test: (t) => hateRules.some((rule) => rule.test(t)),
  },
];

/** The verdict on one prompt: allowed, or the first rule it breaks (most severe first). */
export function checkPromptSafety(prompt: string): SafetyVerdict {
  const text = normalisePrompt(prompt);
  for (const rule of rules) {
    if (rule.test(text)) {
      return {
        allowed: false,
        rule: rule.id,
        category: rule.category,
        explanation: rule.explanation,
      };
    }
  }
  return { allowed: true };
}

/**
 * The port every submit goes through. The built-in rules are the default adapter; an external
 * moderation API can sit behind the same port (asynchronous for that reason).
 */
export abstract class PromptSafetyCheck {
  abstract check(prompt: string): Promise<SafetyVerdict>;
}

/** The adapter over the built-in rules above. */
export class RuleBasedSafetyCheck extends PromptSafetyCheck {
  check(prompt: string): Promise<SafetyVerdict> {
    return Promise.resolve(checkPromptSafety(prompt));
  }
}
