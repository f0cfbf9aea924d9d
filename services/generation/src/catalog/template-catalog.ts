/** Studio templates as data (SPEC §3 defaults). */
export interface TemplateSpec {
  id: string;
  name: string;
  description: string;
  aspectRatio?: string;
  captionStyle?: 'Karaoke' | 'Word-by-Word' | 'Kinetic';
  voiceTone?: string;
  /** Whether the template shows a face (faceless UGC-style ads do not). */
  face: boolean;
}

export const defaultTemplates: TemplateSpec[] = [
  {
    id: 'news',
    name: 'News',
    description: 'A vertical news clip: 9:16, kinetic captions and a clear narrator voice.',
    aspectRatio: '9:16',
    captionStyle: 'Kinetic',
    voiceTone: 'confident news anchor',
    face: true,
  },
  {
    id: 'faceless',
    name: 'Faceless',
    description: 'UGC-style ads without a face: product and scene shots with a voiceover.',
    aspectRatio: '9:16',
    captionStyle: 'Kinetic',
    face: false,
  },
  {
    id: 'ugc-ad',
    name: 'UGC ad',
    description: 'A creator-style ad with a presenter, word-by-word captions and a friendly tone.',
    aspectRatio: '9:16',
    captionStyle: 'Word-by-Word',
    voiceTone: 'friendly and casual',
    face: true,
  },
];
