// The seed's case study (../shared/DESIGN.md §2): three users, three movies, eight ratings.
// The app fetches public/data/toy.csv like any dropped file; the same text is embedded here so
// that tests and the command line need no file system or server. A test keeps the two equal.
import { parseRatingsCsv } from './csv';
import type { Ratings } from './types';

/** Where the app fetches the toy dataset, relative to its base URL. */
export const TOY_CSV_PATH = 'data/toy.csv';

export const TOY_CSV = `user,item,rating,timestamp
Bob,Greatest Events of WWII in Colour,5,1
Bob,The Avengers,1,2
Bob,Guardians of the Galaxy,1,3
Steve,Greatest Events of WWII in Colour,1,4
Steve,The Avengers,5,5
Steve,Guardians of the Galaxy,5,6
Tim,Guardians of the Galaxy,5,7
Tim,The Avengers,5,8
`;

/** Users Bob, Steve, Tim (0..2); items WWII, The Avengers, Guardians of the Galaxy (0..2). */
export function toyRatings(): Ratings {
  return parseRatingsCsv(TOY_CSV, 'toy.csv');
}
